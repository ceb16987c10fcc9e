import * as tf from '@tensorflow/tfjs-core';

/** Mean absolute error over every element (PyTorch `L1Loss()`, reduction 'mean'). */
export function l1Loss(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(prediction, target))) as tf.Scalar);
}
