import * as tf from '@tensorflow/tfjs-core';

/**
 * Backends whose Conv2D accepts only `'valid'` and `'same'`: libtensorflow through
 * `@tensorflow/tfjs-node(-gpu)` refuses a number ("TF Backend supports only 'valid' and
 * 'same' padding").
 */
const STRING_PADDING_ONLY = new Set(['tensorflow']);

/**
 * `tf.conv2d` with `padding` zeros on every side (PyTorch's symmetric padding). Where the
 * backend takes no numeric padding the zeros are added by `tf.pad` and the convolution is
 * `'valid'`: the same values, one tensor more.
 */
export function conv2dZeroPadded(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, padding: number): tf.Tensor4D {
  if (padding === 0) return tf.conv2d(x, filter, stride, 'valid');
  if (!STRING_PADDING_ONLY.has(tf.getBackend())) return tf.conv2d(x, filter, stride, padding);
  const padded = tf.pad(x, [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ]);
  return tf.conv2d(padded, filter, stride, 'valid');
}
