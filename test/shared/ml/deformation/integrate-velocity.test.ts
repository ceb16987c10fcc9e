import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { integrateVelocity } from '../../../../shared/ml/deformation/integrate-velocity.ts';
import { warp } from '../../../../shared/ml/deformation/spatial-transformer.ts';
import { pixel, referenceImage, referenceVelocity } from './helpers/reference-inputs.ts';

beforeAll(async () => {
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, k) => expect(Math.abs(value - expected[k])).toBeLessThanOrEqual(tolerance));
}

describe('integrateVelocity (scaling and squaring, 7 steps)', () => {
  describe('docs/models.md §14.2 reference values (128×128 sine velocity, ramp image)', () => {
    let v: tf.Tensor4D;
    let phi: tf.Tensor4D;
    let warped: tf.Tensor4D;
    beforeAll(() => {
      v = referenceVelocity();
      phi = integrateVelocity(v);
      warped = warp(referenceImage(), phi);
    });

    test.each([
      [40, 20, [0.45965, 0.274944], 0.317328],
      [10, 100, [0.23821, 0.098713], 0.086096],
      [127, 0, [-0.024834, 0.499826], 0.992024],
    ])('φ and warp(I, φ) at pixel (%i, %i)', (row, col, expectedPhi, expectedWarp) => {
      expectClose(pixel(phi, row, col), expectedPhi, 1e-5);
      expectClose(pixel(warped, row, col), [expectedWarp], 1e-5);
    });

    test('−v is integrated on its own: VecInt(−v) at (40, 20), not −φ', () => {
      const neg = integrateVelocity(tf.neg(v));
      expectClose(pixel(neg, 40, 20), [-0.46395, -0.280564], 1e-5);
      expect(Math.abs(pixel(neg, 40, 20)[0] + pixel(phi, 40, 20)[0])).toBeGreaterThan(1e-3);
    });
  });

  test('a constant v1 = 1 on 8×8 stays 1.0 away from the right border and leaks to 0.6336 in the last column', () => {
    const v = tf.concat([tf.zeros([1, 8, 8, 1]), tf.ones([1, 8, 8, 1])], 3) as tf.Tensor4D;
    const u = integrateVelocity(v);
    for (let row = 0; row < 8; row++) {
      for (let col = 0; col < 4; col++) expectClose(pixel(u, row, col), [0, 1], 1e-5);
      // The reference gives 4 significant digits here, so 5e-5 is all it can confirm.
      expectClose(pixel(u, row, 7), [0, 0.6336], 5e-5);
    }
  });

  test('0 steps returns v, and a uniform field away from the borders integrates to itself', () => {
    const v = tf.fill([1, 6, 6, 2], 0.25) as tf.Tensor4D;
    expect(Array.from(integrateVelocity(v, 0).dataSync())).toEqual(Array.from(v.dataSync()));
    expectClose(pixel(integrateVelocity(v, 3), 2, 2), [0.25, 0.25], 1e-6);
  });

  test('its gradient matches central finite differences through every self-warp (5×6, 3 steps)', () => {
    const shape: [number, number, number, number] = [1, 5, 6, 2];
    const count = 5 * 6 * 2;
    const vValues = Float32Array.from({ length: count }, (_, k) => 1.5 * Math.sin(1.7 * k + 0.3));
    const weights = Float32Array.from({ length: count }, (_, k) => Math.cos(0.9 * k));
    const loss = (values: Float32Array): number =>
      tf.tidy(() => {
        const u = integrateVelocity(tf.tensor4d(values, shape), 3).dataSync<'float32'>();
        return u.reduce((sum, x, k) => sum + weights[k] * x, 0);
      });
    const weighted = (x: tf.Tensor) => tf.sum(tf.mul(integrateVelocity(x as tf.Tensor4D, 3), tf.tensor4d(weights, shape)));
    const [dv] = tf.grads(weighted)([tf.tensor4d(vValues, shape)]);
    const analytic = dv.dataSync();
    const step = 1e-3;
    for (let k = 0; k < count; k++) {
      const plus = vValues.slice();
      const minus = vValues.slice();
      plus[k] += step;
      minus[k] -= step;
      const numeric = (loss(plus) - loss(minus)) / (2 * step);
      expect(Math.abs(analytic[k] - numeric)).toBeLessThanOrEqual(1e-3 + 1e-2 * Math.abs(numeric));
    }
  });

  test('leaks no tensors', () => {
    const v = tf.fill([1, 6, 6, 2], 0.3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    integrateVelocity(v).dispose();
    const [dv] = tf.grads((x: tf.Tensor) => tf.sum(integrateVelocity(x as tf.Tensor4D)))([v]);
    dv.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('refuses a negative or fractional step count and a field without 2 channels', () => {
    const v = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => integrateVelocity(v, -1)).toThrow(/steps must be a non-negative integer, got -1/);
    expect(() => integrateVelocity(v, 2.5)).toThrow(/steps must be a non-negative integer, got 2.5/);
    expect(() => integrateVelocity(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D)).toThrow(/v must be \[B, H, W, 2\]/);
  });
});
