import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { BatchNorm2d } from '../../../../shared/ml/layers/batch-norm2d.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

// Two channels over a 1×2×2 batch: channel 0 = [1, 2, 3, 4], channel 1 = [0, 0, 10, 10].
const x = (): tf.Tensor4D => tf.tensor4d([1, 0, 2, 0, 3, 10, 4, 10], [1, 2, 2, 2]);
const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('BatchNorm2d', () => {
  test('registers weight, bias, running_mean, running_var, num_batches_tracked in PyTorch order', () => {
    const store = new ParameterStore(new SeededRandom(0));
    new BatchNorm2d(store, 'bn', { numFeatures: 2, mode: 'frozen' });
    expect([...store.parameters.keys()]).toEqual(['bn.weight', 'bn.bias']);
    expect([...store.buffers.keys()]).toEqual(['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    store.dispose();
  });

  test('frozen: normalises with the running statistics even when training, and never updates them', () => {
    const store = new ParameterStore(new SeededRandom(0));
    const bn = new BatchNorm2d(store, 'bn', { numFeatures: 2, mode: 'frozen' });
    // Defaults (mean 0, var 1, weight 1, bias 0): y = x / sqrt(1 + 1e-5).
    const scale = 1 / Math.sqrt(1 + 1e-5);
    values(bn.apply(x(), true)).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 2, 0, 3, 10, 4, 10][i] * scale, 6));
    bn.runningMean.assign(tf.tensor1d([1, 2]));
    bn.runningVar.assign(tf.tensor1d([4, 0.25]));
    bn.weight.assign(tf.tensor1d([2, 1]));
    bn.bias.assign(tf.tensor1d([0.5, -1]));
    const y = values(bn.apply(x(), true));
    // Channel 0: (x − 1)/2·2 + 0.5 = x − 0.5; channel 1: (x − 2)/0.5 − 1 = 2x − 5.
    [0.5, -5, 1.5, -5, 2.5, 15, 3.5, 15].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 3));
    expect(values(bn.runningMean)).toEqual([1, 2]);
    expect(values(bn.runningVar)).toEqual([4, 0.25]);
    expect(values(bn.numBatchesTracked)).toEqual([0]);
    store.dispose();
  });

  test('train: batch statistics in training, momentum-0.1 updates with the unbiased variance, running stats in eval', () => {
    const store = new ParameterStore(new SeededRandom(0));
    const bn = new BatchNorm2d(store, 'bn', { numFeatures: 2, mode: 'train' });
    const y = values(bn.apply(x(), true));
    // Channel 0: mean 2.5, biased var 1.25 → (x − 2.5)/sqrt(1.25 + 1e-5).
    const s0 = 1 / Math.sqrt(1.25 + 1e-5);
    [-1.5 * s0, -0.5 * s0, 0.5 * s0, 1.5 * s0].forEach((v, i) => expect(y[2 * i]).toBeCloseTo(v, 5));
    // Running: 0.9·0 + 0.1·2.5 and 0.9·1 + 0.1·(1.25·4/3); channel 1: mean 5, unbiased var 100/3.
    const mean = values(bn.runningMean);
    const variance = values(bn.runningVar);
    expect(mean[0]).toBeCloseTo(0.25, 6);
    expect(mean[1]).toBeCloseTo(0.5, 6);
    expect(variance[0]).toBeCloseTo(0.9 + 0.1 * (5 / 3), 6);
    expect(variance[1]).toBeCloseTo(0.9 + 0.1 * (100 / 3), 5);
    expect(values(bn.numBatchesTracked)).toEqual([1]);
    // Evaluation uses (and keeps) the running statistics.
    const e = values(bn.apply(x(), false));
    expect(e[0]).toBeCloseTo((1 - 0.25) / Math.sqrt(variance[0] + 1e-5), 5);
    expect(values(bn.numBatchesTracked)).toEqual([1]);
    store.dispose();
  });

  test('train: one value per channel is refused, as PyTorch does', () => {
    const store = new ParameterStore(new SeededRandom(0));
    const bn = new BatchNorm2d(store, 'encoder.conv__batch_6', { numFeatures: 1, mode: 'train' });
    expect(() => bn.apply(tf.ones([1, 1, 1, 1]) as tf.Tensor4D, true)).toThrow(/encoder.conv__batch_6: .*more than 1 value per channel/);
    store.dispose();
  });

  test('gradients reach weight and bias in both modes', () => {
    for (const mode of ['frozen', 'train'] as const) {
      const store = new ParameterStore(new SeededRandom(0));
      const bn = new BatchNorm2d(store, 'bn', { numFeatures: 2, mode });
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x(), true), tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]))) as tf.Scalar, [
        bn.weight,
        bn.bias,
      ]);
      expect(Object.keys(grads)).toHaveLength(2);
      expect(values(grads[bn.bias.name])).toEqual([16, 20]);
      store.dispose();
    }
  });
});
