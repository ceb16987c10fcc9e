import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { Conv2d } from '../../../../shared/ml/layers/conv2d.ts';
import { ConvTranspose2d } from '../../../../shared/ml/layers/conv-transpose2d.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const extent = (v: tf.Tensor): number => Math.max(...Array.from(v.dataSync(), Math.abs));

test('Conv2d draws U(±1/√(in·k²)), ConvTranspose2d U(±1/√(out·k²)), weights and biases alike', () => {
  const store = new ParameterStore(new SeededRandom(2109));
  const conv = new Conv2d(store, 'c', { inChannels: 16, outChannels: 36, kernelSize: 3 });
  const deconv = new ConvTranspose2d(store, 'd', { inChannels: 16, outChannels: 36, kernelSize: 3, stride: 2 });
  for (const [v, bound] of [
    [conv.weight, 1 / 12],
    [conv.bias!, 1 / 12],
    [deconv.weight, 1 / 18],
    [deconv.bias!, 1 / 18],
  ] as const) {
    expect(extent(v)).toBeLessThanOrEqual(bound);
    expect(extent(v)).toBeGreaterThan(0.8 * bound);
  }
  store.dispose();
});

test('init is a function of the seed', () => {
  const weights = (seed: number): number[] => {
    const store = new ParameterStore(new SeededRandom(seed));
    const values = Array.from(new Conv2d(store, 'c', { inChannels: 2, outChannels: 2, kernelSize: 3 }).weight.dataSync());
    store.dispose();
    return values;
  };
  expect(weights(1)).toEqual(weights(1));
  expect(weights(1)).not.toEqual(weights(2));
});
