import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { upsampleBilinear } from '../../../../shared/ml/layers/upsample-bilinear.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('align_corners=True: corners are kept and the inside is interpolated on (n−1)/(m−1) steps', () => {
  const y = upsampleBilinear(tf.tensor4d([0, 3], [1, 1, 2, 1]), 2);
  expect(y.shape).toEqual([1, 2, 4, 1]);
  Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0, 1, 2, 3, 0, 1, 2, 3][i], 6));
});

test('a 1×1 map is copied', () => {
  const y = upsampleBilinear(tf.tensor4d([0.7, -1], [1, 1, 1, 2]), 2);
  expect(Array.from(y.dataSync())).toEqual([0.7, -1, 0.7, -1, 0.7, -1, 0.7, -1].map(Math.fround));
});
