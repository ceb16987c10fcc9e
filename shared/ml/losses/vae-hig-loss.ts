import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ModelOutputs } from '../autoencoder-model.ts';
import { latentOutputs, sampleAxes } from './latent-outputs.ts';
import { parseLossParams } from './loss-params.ts';
import type { LossCallOptions } from './reconstruction-loss.ts';
import type { StatefulReconstructionLoss } from './stateful-reconstruction-loss.ts';

/** The official hard-coded "kld_weight" (64/8000, a minibatch correction), applied in both loss types. */
const KLD_WEIGHT = 0.008;
/** Calls over which the capacity C ramps from 0 to max_capacity (official `Capacity_max_iter`). */
const CAPACITY_RAMP_CALLS = 1e5;

/** `loss.params` of the official `VAEHigLoss` (model_zoo/beta_vae_higgings.py); defaults are the official ones. */
export const vaeHigLossParamsSchema = z.strictObject({
  /** KL weight of type H; default 4 (`cxr/b-vae.yaml` writes 4, unused with type B). */
  beta: z.number().finite().default(4),
  /** Weight of |KL − C| in type B; default 10 (`cxr/b-vae.yaml`: 2). */
  gamma: z.number().finite().default(10),
  /** Final capacity C in nats; default 25 (`cxr/b-vae.yaml`: 50). */
  max_capacity: z.number().finite().min(0).default(25),
  /** `H` (Higgins: β-weighted KL) or `B` (Burgess: capacity-annealed |KL − C|); default B. */
  loss_type: z.enum(['H', 'B']).default('B'),
  /**
   * Ours. Count validation calls in the capacity schedule, as the official loss does (the
   * trainer's one criterion object also scores validation batches, docs/models.md §8).
   * Default true in reference mode, false in corrected mode (only training steps count).
   */
  count_validation_calls: z.boolean().optional(),
});

export type VaeHigLossParams = z.input<typeof vaeHigLossParamsSchema>;

/**
 * The official VAEHigLoss (docs/models.md §8). Each counted call first increments n, then
 * loss = MSE_mean(x_rec, x) + w·KL_term with KL = mean over the batch of
 * −½·Σ_z(1 + logvar − mu² − e^logvar); type H: w·β·KL, type B: 0.008·γ·|KL − C| with
 * C = clamp(max_capacity·n / 1e5, 0, max_capacity). Its state is the call counter n.
 */
export function buildVaeHigLoss(params: Record<string, unknown>, options: { mode: 'reference' | 'corrected' }): StatefulReconstructionLoss {
  const p = parseLossParams('vae_hig_loss', vaeHigLossParamsSchema, params);
  const countValidation = p.count_validation_calls ?? options.mode === 'reference';
  let calls = 0;
  const loss = (prediction: tf.Tensor4D, target: tf.Tensor4D, outputs?: ModelOutputs, call?: LossCallOptions): tf.Scalar => {
    const { mu, logvar } = latentOutputs('vae_hig_loss', outputs);
    if (call?.training !== false || countValidation) calls += 1;
    const capacity = Math.min(Math.max((p.max_capacity / CAPACITY_RAMP_CALLS) * calls, 0), p.max_capacity);
    return tf.tidy(() => {
      const reconstruction = tf.mean(tf.squaredDifference(prediction, target));
      const perSample = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar)), sampleAxes(mu)), -0.5);
      const kld = tf.mean(perSample);
      const penalty = p.loss_type === 'H' ? tf.mul(kld, p.beta * KLD_WEIGHT) : tf.mul(tf.abs(tf.sub(kld, capacity)), p.gamma * KLD_WEIGHT);
      return tf.add(reconstruction, penalty) as tf.Scalar;
    });
  };
  return Object.assign(loss, {
    state: (): { calls: number } => ({ calls }),
    restore(state: unknown): void {
      const saved = (state as { calls?: unknown } | null)?.calls;
      if (typeof saved !== 'number' || !Number.isInteger(saved) || saved < 0) {
        throw new Error(`vae_hig_loss: expected a saved state {calls: a non-negative integer}, got ${JSON.stringify(state)}`);
      }
      calls = saved;
    },
  });
}
