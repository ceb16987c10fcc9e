/*
 * Conventions (the official MorphAEus `NCC`, voxelmorph's local NCC; docs/models.md §9.3):
 * - Inputs NHWC [B, H, W, C]. Local sums over a 9×9 window are one convolution with an
 *   all-ones 9×9×C×1 filter, stride 1, zero padding 4, so windows at the border count
 *   padded zeros and channels are summed into one map.
 * - The window size N is 81 whatever C is (the official `np.prod(win)`), so for C > 1
 *   the "means" are Σ/81, not Σ/(81·C), the "variances" can go negative and cc is no
 *   longer a correlation. MorphAEus only feeds single-channel images; C > 1 is accepted
 *   to match the official code, not because it is meaningful.
 * - cc is the squared correlation, cross² / (max(varI·varJ, 0) + 1e-5), and the loss is
 *   1 − mean(cc): not 0 for identical images, and 1 where a window is flat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dZeroPadded } from '../layers/zero-padded-conv2d.ts';
import { FUSED_BOX_SUM } from './box-sum-kernels.ts';

const WINDOW = 9;
const WINDOW_SIZE = WINDOW * WINDOW;
const EPSILON = 1e-5;

/** Local normalised cross-correlation loss NCC₉(I, J) of two [B, H, W, C] images. */
export function nccLoss(i: tf.Tensor4D, j: tf.Tensor4D): tf.Scalar {
  if (i.rank !== 4 || j.rank !== 4 || i.shape.some((size, axis) => size !== j.shape[axis])) {
    throw new Error(
      `nccLoss: I and J must be [B, H, W, C] of the same shape, got [${i.shape.join(', ')}] and [${j.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const boxSum = localSum(i.shape[3]);
    const sumI = boxSum(i);
    const sumJ = boxSum(j);
    const sumI2 = boxSum(tf.mul(i, i));
    const sumJ2 = boxSum(tf.mul(j, j));
    const sumIJ = boxSum(tf.mul(i, j));
    const meanI = tf.div(sumI, WINDOW_SIZE);
    const meanJ = tf.div(sumJ, WINDOW_SIZE);
    const cross = tf.add(
      tf.sub(tf.sub(sumIJ, tf.mul(meanJ, sumI)), tf.mul(meanI, sumJ)),
      tf.mul(tf.mul(meanI, meanJ), WINDOW_SIZE),
    );
    const varI = tf.add(tf.sub(sumI2, tf.mul(tf.mul(meanI, sumI), 2)), tf.mul(tf.mul(meanI, meanI), WINDOW_SIZE));
    const varJ = tf.add(tf.sub(sumJ2, tf.mul(tf.mul(meanJ, sumJ), 2)), tf.mul(tf.mul(meanJ, meanJ), WINDOW_SIZE));
    const cc = tf.div(tf.mul(cross, cross), tf.add(tf.relu(tf.mul(varI, varJ)), EPSILON));
    return tf.sub(1, tf.mean(cc)) as tf.Scalar;
  });
}

/** The window sums over every channel: through the fused kernels (box-sum-kernels.ts) where the backend has them, else one convolution. */
function localSum(channels: number): (x: tf.Tensor4D) => tf.Tensor4D {
  if (FUSED_BOX_SUM.available()) return (x) => FUSED_BOX_SUM.apply(x, { window: WINDOW });
  const filter = tf.ones([WINDOW, WINDOW, channels, 1]) as tf.Tensor4D;
  return (x) => conv2dZeroPadded(x, filter, 1, (WINDOW - 1) / 2);
}
