import * as tf from '@tensorflow/tfjs-core';
import { warp } from './spatial-transformer.ts';

/**
 * Integrates a stationary velocity field `v` [B, H, W, 2] (Δrow, Δcol in pixels) into a
 * displacement field by scaling and squaring, as voxelmorph's VecInt (docs/models.md §3.5,
 * §17.8): u ← v / 2^steps, then `steps` times u ← u + warp(u, u). The self-warp uses the
 * same zero-padded sampler as image warping, so the field shrinks near the borders.
 *
 * For the bidirectional model the caller integrates −v with a second call: the result
 * is what MorphAEus uses as the backward field, not a numerical inverse of the forward one.
 *
 * @param steps number of squarings; default 7 (MorphAEus `int_steps`). 0 returns v unchanged.
 */
export function integrateVelocity(v: tf.Tensor4D, steps = 7): tf.Tensor4D {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new Error(`integrateVelocity: steps must be a non-negative integer, got ${steps}`);
  }
  if (v.rank !== 4 || v.shape[3] !== 2) {
    throw new Error(`integrateVelocity: v must be [B, H, W, 2] (Δrow, Δcol), got shape [${v.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    let u: tf.Tensor4D = tf.mul(v, 1 / 2 ** steps);
    for (let step = 0; step < steps; step++) u = tf.add(u, warp(u, u));
    return u;
  });
}
