import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { SeededRandom } from '../../random/seeded-random.ts';
import type { InputTransform } from './input-transform.ts';

/** `trainer.params.transformer.params` of the official `GaussianNoise` (keys and defaults as officially). */
export const gaussianNoiseParamsSchema = z.strictObject({
  /** Standard deviation of the coarse noise; default 0.2. */
  noise_std: z.number().finite().nonnegative().default(0.2),
  /** The noise is drawn at noise_res × noise_res and upsampled to the image size; default 16. */
  noise_res: z.number().int().positive().default(16),
});

export type GaussianNoiseParams = z.input<typeof gaussianNoiseParamsSchema>;

/** Pixels whose channel sum is at most this are background and get no noise. */
const FOREGROUND_THRESHOLD = 0.01;

/**
 * The DAE's input corruption (official transforms/gaussian_noise.py, docs/models.md §12):
 * 1. n ~ N(0, noise_std²) of shape (B, C, res, res), drawn in that (NCHW) order;
 * 2. upsampled to H × W, bilinear with align_corners=True;
 * 3. rolled like `torch.roll(n, (rx, ry), dims=(H, W))` — out[i, j] = n[(i − rx) mod H,
 *    (j − ry) mod W] — with rx, ry uniform in [0, H) and [0, W), one shift for the whole
 *    batch, drawn after the noise;
 * 4. multiplied by the foreground mask (Σ_c x) > 0.01, and added to x with no clipping.
 */
export class GaussianNoise implements InputTransform {
  readonly name = 'gaussian_noise';
  private readonly std: number;
  private readonly resolution: number;

  constructor(params: GaussianNoiseParams = {}) {
    const p = gaussianNoiseParamsSchema.parse(params);
    this.std = p.noise_std;
    this.resolution = p.noise_res;
  }

  apply(x: tf.Tensor4D, random: SeededRandom): tf.Tensor4D {
    const [batch, height, width, channels] = x.shape;
    const res = this.resolution;
    const drawn = new Float32Array(batch * channels * res * res);
    for (let i = 0; i < drawn.length; i++) drawn[i] = random.normal(0, this.std);
    const rowShift = random.nextInt(height);
    const colShift = random.nextInt(width);
    return tf.tidy(() => {
      const coarse = tf.transpose(tf.tensor4d(drawn, [batch, channels, res, res]), [0, 2, 3, 1]);
      const noise = tf.image.resizeBilinear(coarse as tf.Tensor4D, [height, width], true);
      const rolled = roll(roll(noise, rowShift, 1), colShift, 2);
      const foreground = tf.cast(tf.greater(tf.sum(x, 3, true), FOREGROUND_THRESHOLD), 'float32');
      return tf.add(x, tf.mul(rolled, foreground));
    });
  }
}

/** `torch.roll` along one axis by a shift in [0, size). */
function roll(x: tf.Tensor4D, shift: number, axis: 1 | 2): tf.Tensor4D {
  if (shift === 0) return x;
  const size = x.shape[axis];
  const [head, tail] = tf.split(x, [size - shift, shift], axis);
  return tf.concat<tf.Tensor4D>([tail as tf.Tensor4D, head as tf.Tensor4D], axis);
}
