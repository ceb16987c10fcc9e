import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { makeActivation, swish } from '../../../../shared/ml/layers/activation.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const input = (): tf.Tensor4D => tf.tensor4d([-2, -0.5, 0, 3], [1, 2, 2, 1]);

test('swish is x·sigmoid(x)', () => {
  const y = Array.from(swish(input()).dataSync());
  [-2, -0.5, 0, 3].forEach((x, i) => expect(y[i]).toBeCloseTo(x / (1 + Math.exp(-x)), 6));
});

test('"leakyrelu" with the official slope 1.0 is the identity; other slopes leak', () => {
  const x = input();
  expect(makeActivation('leakyrelu', 1)(x)).toBe(x);
  expect(Array.from(makeActivation('leakyrelu', 0.01)(x).dataSync())).toEqual([-0.02, -0.005, 0, 3].map(Math.fround));
  expect(Array.from(makeActivation('relu', 1)(x).dataSync())).toEqual([0, 0, 0, 3]);
});
