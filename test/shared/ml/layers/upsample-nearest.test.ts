import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { upsampleNearest2x } from '../../../../shared/ml/layers/upsample-nearest.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

test('output pixel (i, j) copies input pixel (⌊i/2⌋, ⌊j/2⌋), channel by channel', () => {
  // 2×3 map, 2 channels: channel 0 = 1..6, channel 1 = −1..−6.
  const x = tf.tensor4d([1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6], [1, 2, 3, 2]);
  const y = upsampleNearest2x(x);
  expect(y.shape).toEqual([1, 4, 6, 2]);
  const channel0 = Array.from(tf.slice(y, [0, 0, 0, 0], [1, 4, 6, 1]).dataSync());
  expect(channel0).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]);
  expect(Array.from(tf.slice(y, [0, 0, 0, 1], [1, 4, 6, 1]).dataSync())).toEqual(channel0.map((v) => -v));
});

test('on a random map every output pixel equals its source pixel, and the gradient sums each 2×2 block', () => {
  const [batch, height, width, channels] = [2, 3, 5, 4];
  const x = tf.randomUniform([batch, height, width, channels], -1, 1, 'float32', 7) as tf.Tensor4D;
  const input = x.arraySync();
  const output = upsampleNearest2x(x).arraySync();
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < 2 * height; i++) {
      for (let j = 0; j < 2 * width; j++) expect(output[b][i][j]).toEqual(input[b][Math.floor(i / 2)][Math.floor(j / 2)]);
    }
  }
  // Batch 2: the pure-JS backend's own ResizeNearestNeighborGrad gets every image after the first wrong.
  const weights = tf.randomUniform([batch, 2 * height, 2 * width, channels], -1, 1, 'float32', 8) as tf.Tensor4D;
  const w = weights.arraySync();
  const gradient = tf.grad((v) => tf.sum(tf.mul(upsampleNearest2x(v as tf.Tensor4D), weights)))(x).arraySync() as number[][][][];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        for (let c = 0; c < channels; c++) {
          const blockSum = w[b][2 * i][2 * j][c] + w[b][2 * i][2 * j + 1][c] + w[b][2 * i + 1][2 * j][c] + w[b][2 * i + 1][2 * j + 1][c];
          expect(gradient[b][i][j][c]).toBeCloseTo(blockSum, 5);
        }
      }
    }
  }
});
