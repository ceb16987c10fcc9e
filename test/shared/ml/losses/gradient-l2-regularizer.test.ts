import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { gradientL2Regularizer } from '../../../../shared/ml/losses/gradient-l2-regularizer.ts';
import { referenceVelocity } from '../deformation/helpers/reference-inputs.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (loss: tf.Scalar): number => loss.dataSync()[0];

/** A [1, H, W, 2] field from v0(i, j) and v1(i, j). */
function field(height: number, width: number, f: (i: number, j: number) => [number, number]): tf.Tensor4D {
  const values = new Float32Array(height * width * 2);
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) values.set(f(i, j), (i * width + j) * 2);
  return tf.tensor4d(values, [1, height, width, 2]);
}

describe('gradientL2Regularizer (R, "gradient-l2", docs/models.md §9.4)', () => {
  test('R of the §14.2 sine velocity is 1.50477e-4', () => {
    expect(Math.abs(value(gradientL2Regularizer(referenceVelocity())) - 1.50477e-4)).toBeLessThanOrEqual(1e-9);
  });

  test('a linear field v0 = a·i, v1 = b·j gives (a² + b²) / 4 (mean over both channels, halved)', () => {
    const [a, b] = [0.3, -0.8];
    expect(value(gradientL2Regularizer(field(5, 7, (i, j) => [a * i, b * j])))).toBeCloseTo((a * a + b * b) / 4, 6);
  });

  test('differences are central, taken on the interior only (the four corners are never read)', () => {
    // v0 = i² has central difference 2i at interior rows 1 and 2; spikes in the corners change nothing.
    const corner = (i: number, j: number) => (i === 0 || i === 3) && (j === 0 || j === 3);
    const withBorderSpike = field(4, 4, (i, j) => [i * i + (corner(i, j) ? 100 : 0), corner(i, j) ? -50 : 0]);
    const interior = [1, 2].map((i) => (2 * i) ** 2);
    const expected = (2 * interior.reduce((s, d) => s + d, 0)) / (2 * 2 * 2 * 2);
    expect(value(gradientL2Regularizer(withBorderSpike))).toBeCloseTo(expected, 5);
  });

  test('is 0 for a constant field and leaks no tensors', () => {
    const v = tf.fill([2, 5, 5, 2], 0.7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(value(gradientL2Regularizer(v))).toBe(0);
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  test('refuses a field without 2 channels or smaller than 3×3', () => {
    const oneChannel = tf.zeros([1, 5, 5, 1]) as tf.Tensor4D;
    expect(() => gradientL2Regularizer(oneChannel)).toThrow(/\[B, H, W, 2\].*\[1, 5, 5, 1\]/);
    expect(() => gradientL2Regularizer(tf.zeros([1, 2, 5, 2]) as tf.Tensor4D)).toThrow(/H, W ≥ 3.*\[1, 2, 5, 2\]/);
  });
});
