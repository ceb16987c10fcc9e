import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { GroupNorm } from '../../../../shared/ml/layers/group-norm.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

// NHWC 1×1×2×4: pixel 0 has channels [1, 2, 10, 10], pixel 1 has [3, 4, 20, 40].
const x = (): tf.Tensor4D => tf.tensor4d([1, 2, 10, 10, 3, 4, 20, 40], [1, 1, 2, 4]);

describe('GroupNorm', () => {
  test('normalises each group of consecutive channels over H, W and the group, biased variance, eps 1e-5', () => {
    const store = new ParameterStore(new SeededRandom(0));
    const norm = new GroupNorm(store, 'gn', { numGroups: 2, numChannels: 4 });
    expect([...store.parameters.keys()]).toEqual(['gn.weight', 'gn.bias']);
    const y = Array.from(norm.apply(x()).dataSync());
    // Group 0 = {1, 2, 3, 4}: mean 2.5, variance 1.25. Group 1 = {10, 10, 20, 40}: mean 20, variance 150.
    const s0 = 1 / Math.sqrt(1.25 + 1e-5);
    const s1 = 1 / Math.sqrt(150 + 1e-5);
    const expected = [-1.5 * s0, -0.5 * s0, -10 * s1, -10 * s1, 0.5 * s0, 1.5 * s0, 0, 20 * s1];
    y.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    store.dispose();
  });

  test('applies the per-channel affine after normalising, and keeps samples apart', () => {
    const store = new ParameterStore(new SeededRandom(0));
    const norm = new GroupNorm(store, 'gn', { numGroups: 1, numChannels: 2 });
    norm.weight.assign(tf.tensor1d([2, -1]));
    norm.bias.assign(tf.tensor1d([0.5, 3]));
    // Two samples, one pixel, two channels: [0, 2] and [100, 100] (a constant group).
    const y = Array.from(norm.apply(tf.tensor4d([0, 2, 100, 100], [2, 1, 1, 2])).dataSync());
    const s = 1 / Math.sqrt(1 + 1e-5);
    [2 * -s + 0.5, -1 * s + 3, 0.5, 3].forEach((value, i) => expect(y[i]).toBeCloseTo(value, 5));
    store.dispose();
  });

  test('refuses channels that do not split into equal groups', () => {
    const store = new ParameterStore(new SeededRandom(0));
    expect(() => new GroupNorm(store, 'gn', { numGroups: 3, numChannels: 8 })).toThrow(/8 channels cannot be split into 3/);
    store.dispose();
  });
});
