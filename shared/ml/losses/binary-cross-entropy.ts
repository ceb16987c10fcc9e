import * as tf from '@tensorflow/tfjs-core';

/** PyTorch clamps each log term at this value, so a certain wrong answer costs 100, not infinity. */
const LOG_FLOOR = -100;
/** PyTorch's floor for p·(1 − p) in the gradient's denominator. */
const GRADIENT_EPSILON = 1e-12;

/**
 * Mean binary cross-entropy exactly as PyTorch 1.9 `F.binary_cross_entropy` / `nn.BCELoss()`
 * computes it (docs/models.md §17.14): −mean(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100)).
 * Targets may be soft (the AAE's reconstruction term uses the image's pixels).
 *
 * The gradient is PyTorch's own formula, (p − y) / max(p·(1 − p), 1e-12) / N, not the
 * derivative of the clamped expression: at p = 0 or 1 that derivative would be ∞·0 = NaN
 * in TF.js, where PyTorch gives 0 for a right answer and a large finite push for a wrong one.
 * Like PyTorch, no gradient flows into the target.
 */
export function binaryCrossEntropy(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  if (prediction.shape.length !== target.shape.length || prediction.shape.some((size, axis) => size !== target.shape[axis])) {
    throw new Error(
      `binaryCrossEntropy: prediction [${prediction.shape.join(', ')}] and target [${target.shape.join(', ')}] must have the same shape`,
    );
  }
  const bce = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [p, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([p, y]);
    const logP = tf.maximum(tf.log(p), LOG_FLOOR);
    const logOneMinusP = tf.maximum(tf.log(tf.sub(1, p)), LOG_FLOOR);
    const value = tf.neg(tf.mean(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), logOneMinusP))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedP, savedY] = saved;
        const denominator = tf.maximum(tf.mul(tf.sub(1, savedP), savedP), GRADIENT_EPSILON);
        const perElement = tf.div(tf.mul(dy, tf.sub(savedP, savedY)), denominator);
        return [tf.div(perElement, savedP.size), tf.zerosLike(savedY)];
      },
    };
  });
  return bce(prediction, target) as tf.Scalar;
}
