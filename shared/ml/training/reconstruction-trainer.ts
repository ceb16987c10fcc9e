import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { l2Loss } from '../losses/l2-loss.ts';
import { buildReconstructionLoss } from '../losses/reconstruction-loss-registry.ts';
import { Adam } from '../optim/adam.ts';
import { parameterGradients } from './parameter-gradients.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';

/**
 * The official `core/Trainer.py` (used by the baseline AE, AE-S, AE-D, VAE, β-VAE, DAE):
 * loss = criterion(model(x), x), one Adam; validation reports `loss_prec` (the criterion)
 * and `loss_mse`, and selects on `loss_prec` (§11.6, the intended criterion — the
 * official code crashes on a missing key there).
 */
export function createReconstructionTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  const params = config.trainer.params;
  if (params.alfa !== 0) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.alfa',
      message: `the perceptual loss (alfa = ${params.alfa}) needs torchvision VGG19 weights, which this version does not ship; use alfa: 0`,
    });
  }
  if (params.extra.transformer !== undefined && params.extra.transformer !== null) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.transformer',
      message: 'input transforms (the DAE noise) are not implemented by the reconstruction trainer yet; remove the key to train without it',
    });
  }
  const criterion = buildReconstructionLoss(params.loss);
  // The official trainer swaps in AMSGrad with weight decay when it builds the cosine schedule (§11.1).
  const optimizer =
    params.lrScheduler === 'cosine'
      ? new Adam(model.parameters, { lr: params.lr, amsgrad: true, weightDecay: 1e-5 })
      : new Adam(model.parameters, { lr: params.lr });

  return {
    name: 'reconstruction',
    selectionMetric: 'loss_prec',
    optimizers: new Map([['model', optimizer]]),

    trainStep(batch): StepLosses {
      return tf.tidy(() => {
        const { value, grads } = parameterGradients(model.parameters, () => {
          const outputs = model.forward(batch, { training: true });
          return criterion(outputs.xRec, batch, outputs);
        });
        optimizer.applyGradients(grads);
        return { loss: value.dataSync()[0] };
      });
    },

    validateBatch(batch): Record<string, number> {
      return tf.tidy(() => {
        const outputs = model.forward(batch, { training: false });
        const lossPrec = criterion(outputs.xRec, batch, outputs);
        const lossMse = l2Loss(outputs.xRec, batch);
        return { loss_prec: lossPrec.dataSync()[0], loss_mse: lossMse.dataSync()[0] };
      });
    },

    state: () => null,
    restore: () => undefined,
    dispose: () => optimizer.dispose(),
  };
}
