import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { nccLoss } from '../../../../shared/ml/losses/ncc-loss.ts';
import { referenceImage } from '../deformation/helpers/reference-inputs.ts';

beforeAll(async () => {
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

const value = (loss: tf.Scalar): number => loss.dataSync()[0];

/**
 * The official formula written out with loops in float64: 9×9 windows over zero-padded
 * images, sums taken over every channel, N = 81.
 */
function naiveNcc(i: Float32Array, j: Float32Array, [b, h, w, c]: number[]): number {
  const at = (x: Float32Array, n: number, r: number, q: number, ch: number) =>
    r < 0 || r >= h || q < 0 || q >= w ? 0 : x[((n * h + r) * w + q) * c + ch];
  let total = 0;
  for (let n = 0; n < b; n++) {
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        let [sI, sJ, sII, sJJ, sIJ] = [0, 0, 0, 0, 0];
        for (let dr = -4; dr <= 4; dr++) {
          for (let dq = -4; dq <= 4; dq++) {
            for (let ch = 0; ch < c; ch++) {
              const a = at(i, n, r + dr, q + dq, ch);
              const z = at(j, n, r + dr, q + dq, ch);
              [sI, sJ, sII, sJJ, sIJ] = [sI + a, sJ + z, sII + a * a, sJJ + z * z, sIJ + a * z];
            }
          }
        }
        const [mI, mJ] = [sI / 81, sJ / 81];
        const cross = sIJ - mJ * sI - mI * sJ + mI * mJ * 81;
        const varI = sII - 2 * mI * sI + mI * mI * 81;
        const varJ = sJJ - 2 * mJ * sJ + mJ * mJ * 81;
        total += (cross * cross) / (Math.max(varI * varJ, 0) + 1e-5);
      }
    }
  }
  return 1 - total / (b * h * w);
}

describe('nccLoss (local squared NCC, 9×9 windows, docs/models.md §9.3)', () => {
  test.each([
    ['NCC₉(I, I)', (x: tf.Tensor4D) => [x, x], 0.0088865],
    ['NCC₉(I, I²)', (x: tf.Tensor4D) => [x, tf.square(x)], 0.0733937],
    ['NCC₉(0, 0)', (x: tf.Tensor4D) => [tf.zerosLike(x), tf.zerosLike(x)], 1.0],
  ] as const)('%s on the §14.2 ramp image is the reference value', (_, pair, expected) => {
    const [first, second] = pair(referenceImage()) as [tf.Tensor4D, tf.Tensor4D];
    expect(Math.abs(value(nccLoss(first, second)) - expected)).toBeLessThanOrEqual(1e-5);
  });

  test.each([
    [[2, 10, 12, 1]],
    [[1, 9, 11, 2]],
  ])('equals the formula written out by hand on a %j batch (zero padding; N = 81 even with 2 channels)', (shape) => {
    const count = shape.reduce((p, d) => p * d, 1);
    const i = Float32Array.from({ length: count }, (_, k) => 0.5 + 0.5 * Math.sin(0.37 * k));
    const j = Float32Array.from({ length: count }, (_, k) => 0.5 + 0.4 * Math.cos(0.23 * k) + 0.1 * Math.sin(0.37 * k));
    const dims = shape as [number, number, number, number];
    const expected = naiveNcc(i, j, shape);
    const actual = value(nccLoss(tf.tensor4d(i, dims), tf.tensor4d(j, dims)));
    // With 2 channels the N = 81 "variances" can go negative and cc explodes, so only a
    // relative comparison is meaningful there.
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected)));
  });

  test('is lower for images that match locally than for unrelated ones, and has a gradient', () => {
    const image = referenceImage();
    const noise = tf.randomUniform(image.shape, 0, 1, 'float32', 5) as tf.Tensor4D;
    expect(value(nccLoss(image, tf.add(image, tf.mul(noise, 1e-3))))).toBeLessThan(value(nccLoss(image, noise)));
    const [grad] = tf.grads((j: tf.Tensor) => nccLoss(image, j as tf.Tensor4D))([noise]);
    expect(grad.shape).toEqual(image.shape);
    expect(Array.from(grad.dataSync()).some((g) => g !== 0)).toBe(true);
  });

  test('leaks no tensors', () => {
    const image = tf.ones([1, 12, 12, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    nccLoss(image, image).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('refuses images of different shapes, naming both', () => {
    expect(() => nccLoss(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, tf.zeros([1, 8, 9, 1]) as tf.Tensor4D)).toThrow(
      /same shape.*\[1, 8, 8, 1\] and \[1, 8, 9, 1\]/,
    );
  });
});
