import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { reflectionPad2d } from '../../../../shared/ml/layers/reflection-pad2d.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

// 3×3 image 1..9, one channel.
const image = (): tf.Tensor4D => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

describe('reflectionPad2d', () => {
  test('mirrors without repeating the border, as nn.ReflectionPad2d(1)', () => {
    const padded = reflectionPad2d(image(), 1);
    expect(padded.shape).toEqual([1, 5, 5, 1]);
    expect(Array.from(padded.dataSync())).toEqual([
      5, 4, 5, 6, 5,
      2, 1, 2, 3, 2,
      5, 4, 5, 6, 5,
      8, 7, 8, 9, 8,
      5, 4, 5, 6, 5,
    ]);
  });

  test('pads every channel alike and handles padding 2', () => {
    const twoChannels = tf.concat([image(), tf.mul(image(), 10)], 3) as tf.Tensor4D;
    const padded = reflectionPad2d(twoChannels, 2);
    expect(padded.shape).toEqual([1, 7, 7, 2]);
    // Row 0 is image row 2 (7 8 9) reflected twice along columns: 9 8 7 8 9 8 7.
    const row0 = tf.slice(padded, [0, 0, 0, 0], [1, 1, 7, 2]).dataSync();
    expect(Array.from(row0)).toEqual([9, 90, 8, 80, 7, 70, 8, 80, 9, 90, 8, 80, 7, 70]);
  });

  test('the gradient collects every mirrored copy (TF.js mirrorPad would give all ones)', () => {
    const grad = tf.grad((x) => tf.sum(reflectionPad2d(x as tf.Tensor4D, 1)))(image());
    // Padded rows (and columns) are [1, 0, 1, 2, 1]: pixel i appears 1, 3, 1 times per axis.
    expect(Array.from(grad.dataSync())).toEqual([1, 3, 1, 3, 9, 3, 1, 3, 1]);
  });

  test('refuses a padding as large as the map, as PyTorch does', () => {
    expect(() => reflectionPad2d(tf.zeros([1, 1, 4, 1]), 1)).toThrow(/larger than it/);
  });
});
