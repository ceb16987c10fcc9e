import * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import type { PerceptualLoss } from '../losses/perceptual-loss.ts';
import type { ReconstructionLoss } from '../losses/reconstruction-loss.ts';
import { readScalars } from './read-scalars.ts';

/** What a trainer validates of the model's outputs: the image it scores and the MSE it reports. */
export interface ValidatedView {
  reconstruction: tf.Tensor4D;
  mse: tf.Scalar;
}

/**
 * Validation metrics of one batch, the model in eval mode: `loss_prec` (the criterion on the
 * view's reconstruction), `loss_mse` (the view's) and, when the run has one, `loss_pl`.
 */
export async function validateReconstruction(
  model: AutoencoderModel,
  batch: tf.Tensor4D,
  losses: { criterion: ReconstructionLoss; perceptual: PerceptualLoss | null },
  view: (outputs: ModelOutputs) => ValidatedView,
): Promise<Record<string, number>> {
  const metrics = tf.tidy(() => {
    const outputs = model.forward(batch, { training: false });
    const { reconstruction, mse } = view(outputs);
    const found: Record<string, tf.Scalar> = {
      loss_prec: losses.criterion(reconstruction, batch, outputs, { training: false }),
      loss_mse: mse,
    };
    if (losses.perceptual !== null) found.loss_pl = losses.perceptual.apply(reconstruction, batch);
    return found;
  });
  return readScalars(metrics);
}
