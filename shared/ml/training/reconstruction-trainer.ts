import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { buildInputTransform } from '../data-transforms/input-transform-registry.ts';
import { l2Loss } from '../losses/l2-loss.ts';
import { perceptualLossForRun } from '../losses/perceptual-weights.ts';
import { buildReconstructionLoss } from '../losses/reconstruction-loss-registry.ts';
import { criterionTrainerState } from '../losses/stateful-reconstruction-loss.ts';
import { parameterGradients } from './parameter-gradients.ts';
import { readScalars } from './read-scalars.ts';
import { trainerAdam } from './trainer-optimizer.ts';
import { validateReconstruction } from './validate-reconstruction.ts';
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
  // loss = criterion + alfa·PL(x_rec, x), as the official trainer; null when alfa is 0.
  const perceptual = perceptualLossForRun(config);
  // The DAE's noise: only the training input is corrupted; the loss compares with the clean batch.
  const transform = buildInputTransform(params);
  const criterion = buildReconstructionLoss(params.loss, { mode: config.mode });
  const optimizer = trainerAdam(model, params);

  return {
    name: 'reconstruction',
    selectionMetric: 'loss_prec',
    optimizers: new Map([['model', optimizer]]),

    async trainStep(batch, context): Promise<StepLosses> {
      const losses = tf.tidy(() => {
        let parts: { loss_rec: tf.Scalar; loss_pl: tf.Scalar } | null = null;
        const { value, grads } = parameterGradients(model.parameters, () => {
          const input = transform ? transform.apply(batch, context.random) : batch;
          const outputs = model.forward(input, { training: true, random: context.random });
          const loss = criterion(outputs.xRec, batch, outputs, { training: true });
          if (perceptual === null) return loss;
          const pl = perceptual.apply(outputs.xRec, batch);
          parts = { loss_rec: tf.keep(loss), loss_pl: tf.keep(pl) };
          return tf.add(loss, tf.mul(params.alfa, pl));
        });
        optimizer.applyGradients(grads);
        return { loss: value, ...(parts ?? {}) };
      });
      return readScalars(losses);
    },

    validateBatch: (batch) =>
      validateReconstruction(model, batch, { criterion, perceptual }, (outputs) => ({ reconstruction: outputs.xRec, mse: l2Loss(outputs.xRec, batch) })),

    ...criterionTrainerState(criterion),
    dispose: () => {
      optimizer.dispose();
      perceptual?.dispose();
    },
  };
}
