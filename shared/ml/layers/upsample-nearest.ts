import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch `nn.Upsample(scale_factor=2, mode='nearest')` on NHWC: output pixel (i, j) copies
 * input pixel (⌊i/2⌋, ⌊j/2⌋) (docs/models.md §17.6). TF.js nearest-neighbour resizing
 * without corner alignment or half-pixel centres samples at ⌊dst·in/out⌋, the same pixels.
 * The gradient is written here, as the sum of each 2×2 block of dy: the pure-JS backend's
 * ResizeNearestNeighborGrad (tfjs 4.22) reads dy with the input's batch stride, so it is
 * wrong for batches of more than one image.
 */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return nearest2x(x);
}

const nearest2x = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor4D;
  const [, height, width] = x.shape;
  return {
    value: tf.image.resizeNearestNeighbor(x, [2 * height, 2 * width], false, false),
    // avgPool sums the block and divides by 4; the ×4 undoes that exactly (powers of two).
    gradFunc: (dy: tf.Tensor) => tf.mul(tf.avgPool(dy as tf.Tensor4D, 2, 2, 'valid'), 4),
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;
