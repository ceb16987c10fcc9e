import type { TrainerParams } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { Adam } from '../optim/adam.ts';

/**
 * The optimiser of the single-network trainers: Adam at `lr`, but AMSGrad with weight decay
 * 1e-5 under the cosine schedule, which the official trainers swap in when they build it
 * (docs/models.md §11.1).
 */
export function trainerAdam(model: AutoencoderModel, params: TrainerParams): Adam {
  return params.lrScheduler === 'cosine'
    ? new Adam(model.parameters, { lr: params.lr, amsgrad: true, weightDecay: 1e-5 })
    : new Adam(model.parameters, { lr: params.lr });
}

