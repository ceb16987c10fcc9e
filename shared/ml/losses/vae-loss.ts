import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ModelOutputs } from '../autoencoder-model.ts';
import { latentOutputs, sampleAxes } from './latent-outputs.ts';
import { parseLossParams } from './loss-params.ts';
import type { ReconstructionLoss } from './reconstruction-loss.ts';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** `loss.params` of the official `VAELoss` (model_zoo/vae_hahn.py). */
export const vaeLossParamsSchema = z.strictObject({
  /** log σ of the Gaussian likelihood of the reconstruction; default 0 (σ = 1), as in `cxr/vae.yaml`. */
  rec_log_std: z.number().finite().default(0),
  /**
   * Official switch between summing per sample and summing afterwards; both give the
   * same value (sums over C, H, W and the latent, then the batch mean). Default true.
   */
  sum_samplewise: z.boolean().default(true),
  /**
   * Ours. How the KL term reads the model's `z_logvar` output: `log_std` — the official
   * loss takes σ = exp(z_logvar), but the Hahn VAE returns std there, so its posterior σ
   * is exp(std) ≥ 1 (docs/models.md §7); `std` — σ = z_logvar, what the VAE means. Default
   * `log_std` in reference mode, `std` in corrected mode.
   */
  z_logvar_as: z.enum(['log_std', 'std']).optional(),
});

export type VaeLossParams = z.input<typeof vaeLossParamsSchema>;

/**
 * The official VAELoss (docs/models.md §7): per sample, −log N(x_rec; x, σ_rec) summed over
 * every pixel plus KL(N(mu, σ) ‖ N(0, 1)) summed over the latent, then the batch mean.
 * With σ_rec = 1 that is ½·SSE + ½·ln(2π) per pixel.
 */
export function buildVaeLoss(params: Record<string, unknown>, options: { mode: 'reference' | 'corrected' }): ReconstructionLoss {
  const p = parseLossParams('vae_loss', vaeLossParamsSchema, params);
  const readsLogStd = (p.z_logvar_as ?? (options.mode === 'reference' ? 'log_std' : 'std')) === 'log_std';
  const recVariance = Math.exp(2 * p.rec_log_std);
  const logLikelihoodOffset = -p.rec_log_std - HALF_LOG_TWO_PI;
  return (prediction: tf.Tensor4D, target: tf.Tensor4D, outputs?: ModelOutputs): tf.Scalar => {
    const { mu, logvar: scale } = latentOutputs('vae_loss', outputs);
    return tf.tidy(() => {
      const logP = tf.add(tf.div(tf.squaredDifference(prediction, target), -2 * recVariance), logLikelihoodOffset);
      const logSigma = readsLogStd ? scale : tf.log(scale);
      const kl = tf.sub(tf.mul(tf.add(tf.sub(tf.exp(tf.mul(logSigma, 2)), 1), tf.square(mu)), 0.5), logSigma);
      const perSample = tf.sub(tf.sum(kl, sampleAxes(kl)), tf.sum(logP, sampleAxes(logP)));
      return tf.mean(perSample) as tf.Scalar;
    });
  };
}
