import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { buildInputTransform } from '../data-transforms/input-transform-registry.ts';
import { l2Loss } from '../losses/l2-loss.ts';
import { buildReconstructionLoss } from '../losses/reconstruction-loss-registry.ts';
import { isStatefulLoss } from '../losses/stateful-reconstruction-loss.ts';
import { Adam } from '../optim/adam.ts';
import { parameterGradients } from './parameter-gradients.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';

/**
 * The official `core/Trainer.py` (used by the baseline AE, AE-S, AE-D, VAE, β-VAE, DAE):
 * loss = criterion(model(x), x, model outputs), one Adam; validation reports `loss_prec`
 * (the criterion) and `loss_mse`, and selects on `loss_prec` (§11.6, the intended
 * criterion — the official code crashes on a missing key there). The criterion sees the
 * whole model output (VAE losses read z_mu and z_logvar); a stateful criterion
 * (VAEHigLoss's call counter) is saved in checkpoints as the trainer's state `{loss}`.
 */
export function createReconstructionTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  const params = config.trainer.params;
  if (params.alfa !== 0) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.alfa',
      message: `the perceptual loss (alfa = ${params.alfa}) needs torchvision VGG19 weights, which this version does not ship; use alfa: 0`,
    });
  }
  // The DAE's noise: only the training input is corrupted; the loss compares with the clean batch.
  const transform = buildInputTransform(params);
  const criterion = buildReconstructionLoss(params.loss, { mode: config.mode });
  // The official trainer swaps in AMSGrad with weight decay when it builds the cosine schedule (§11.1).
  const optimizer =
    params.lrScheduler === 'cosine'
      ? new Adam(model.parameters, { lr: params.lr, amsgrad: true, weightDecay: 1e-5 })
      : new Adam(model.parameters, { lr: params.lr });

  return {
    name: 'reconstruction',
    selectionMetric: 'loss_prec',
    optimizers: new Map([['model', optimizer]]),

    trainStep(batch, context): StepLosses {
      return tf.tidy(() => {
        const { value, grads } = parameterGradients(model.parameters, () => {
          const input = transform ? transform.apply(batch, context.random) : batch;
          const outputs = model.forward(input, { training: true, random: context.random });
          return criterion(outputs.xRec, batch, outputs, { training: true });
        });
        optimizer.applyGradients(grads);
        return { loss: value.dataSync()[0] };
      });
    },

    validateBatch(batch): Record<string, number> {
      return tf.tidy(() => {
        const outputs = model.forward(batch, { training: false });
        const lossPrec = criterion(outputs.xRec, batch, outputs, { training: false });
        const lossMse = l2Loss(outputs.xRec, batch);
        return { loss_prec: lossPrec.dataSync()[0], loss_mse: lossMse.dataSync()[0] };
      });
    },

    state: () => (isStatefulLoss(criterion) ? { loss: criterion.state() } : null),
    restore(state) {
      if (isStatefulLoss(criterion)) criterion.restore((state as { loss?: unknown } | null)?.loss);
    },
    dispose: () => optimizer.dispose(),
  };
}
