import type * as tf from '@tensorflow/tfjs-core';
import type { ModelOutputs } from '../autoencoder-model.ts';

/**
 * The posterior a VAE returns, by its official output names: `z_mu` and `z_logvar`
 * (whatever the model puts under that name; the Hahn VAE puts std there).
 */
export function latentOutputs(lossName: string, outputs: ModelOutputs | undefined): { mu: tf.Tensor; logvar: tf.Tensor } {
  const mu = outputs?.extras.z_mu;
  const logvar = outputs?.extras.z_logvar;
  if (mu === undefined || logvar === undefined) {
    const returned = outputs === undefined ? 'nothing besides the reconstruction' : `[${Object.keys(outputs.extras).join(', ')}]`;
    throw new Error(
      `loss ${lossName} needs the model outputs z_mu and z_logvar (a VAE: vae, beta_vae); the model returns ${returned}. Use l1 or l2 for an autoencoder`,
    );
  }
  return { mu, logvar };
}

/** Every axis but the batch axis, for per-sample sums. */
export function sampleAxes(tensor: tf.Tensor): number[] {
  return Array.from({ length: tensor.rank - 1 }, (_, i) => i + 1);
}
