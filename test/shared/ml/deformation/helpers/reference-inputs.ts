import * as tf from '@tensorflow/tfjs-core';

/** Side of the docs/models.md §14.2 test images. */
export const REFERENCE_SIZE = 128;

/** §14.2 image: I(i, j) = (128·i + j) / 16384, as [1, 128, 128, 1]. */
export function referenceImage(): tf.Tensor4D {
  const n = REFERENCE_SIZE;
  const values = Float32Array.from({ length: n * n }, (_, p) => p / (n * n));
  return tf.tensor4d(values, [1, n, n, 1]);
}

/** §14.2 velocity: v0 = 0.5·sin(2πi/128) (rows), v1 = 0.5·cos(2πj/128) (columns), as [1, 128, 128, 2]. */
export function referenceVelocity(): tf.Tensor4D {
  const n = REFERENCE_SIZE;
  const values = new Float32Array(n * n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      values[(i * n + j) * 2] = 0.5 * Math.sin((2 * Math.PI * i) / n);
      values[(i * n + j) * 2 + 1] = 0.5 * Math.cos((2 * Math.PI * j) / n);
    }
  }
  return tf.tensor4d(values, [1, n, n, 2]);
}

/** The value at [0, row, col, :] of a [1, H, W, C] tensor. */
export function pixel(x: tf.Tensor4D, row: number, col: number): number[] {
  const [, , width, channels] = x.shape;
  const start = (row * width + col) * channels;
  return Array.from(x.dataSync().subarray(start, start + channels));
}
