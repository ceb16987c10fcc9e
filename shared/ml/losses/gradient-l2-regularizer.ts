import * as tf from '@tensorflow/tfjs-core';

/**
 * The "gradient-l2" smoothness regulariser R of MorphAEus (TransMorph's
 * DisplacementRegularizer2D, docs/models.md §9.4) on a field [B, H, W, 2]: central
 * differences on the interior, d/dH = (v[i+1, j] − v[i−1, j]) / 2 and
 * d/dW = (v[i, j+1] − v[i, j−1]) / 2 for 1 ≤ i ≤ H−2, 1 ≤ j ≤ W−2, then
 * R = mean(d/dH² + d/dW²) / 2 over B × 2 × (H−2) × (W−2). MorphAEus applies it to the
 * pre-integration velocity v, not to the integrated field.
 */
export function gradientL2Regularizer(field: tf.Tensor4D): tf.Scalar {
  const [batch, height, width, channels] = field.shape;
  if (field.rank !== 4 || channels !== 2 || height < 3 || width < 3) {
    throw new Error(
      `gradientL2Regularizer: field must be [B, H, W, 2] with H, W ≥ 3, got [${field.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const inner = (top: number, left: number) => tf.slice(field, [0, top, left, 0], [batch, height - 2, width - 2, channels]);
    const dH = tf.div(tf.sub(inner(2, 1), inner(0, 1)), 2);
    const dW = tf.div(tf.sub(inner(1, 2), inner(1, 0)), 2);
    return tf.div(tf.mean(tf.add(tf.square(dH), tf.square(dW))), 2) as tf.Scalar;
  });
}
