import * as tf from '@tensorflow/tfjs-core';

/** Mean squared error over every element (PyTorch `MSELoss()`, reduction 'mean'). */
export function l2Loss(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar);
}
