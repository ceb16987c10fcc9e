import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { Linear } from '../../../../shared/ml/layers/linear.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { torchLayoutOf } from '../../../../shared/ml/layers/torch-layout.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('y = x·Wᵀ + b with W stored (in, out) in TF.js and (out, in) for PyTorch', () => {
  const store = new ParameterStore(new SeededRandom(0));
  const fc = new Linear(store, 'fc', { inFeatures: 3, outFeatures: 2 });
  expect(fc.weight.shape).toEqual([3, 2]);
  expect(torchLayoutOf(fc.weight)).toMatchObject({ kind: 'linear', torchShape: [2, 3] });
  fc.weight.assign(tf.tensor2d([1, 0, 0, 1, 2, -1], [3, 2]));
  fc.bias!.assign(tf.tensor1d([0.5, 0]));
  expect(Array.from(fc.apply(tf.tensor2d([1, 2, 3], [1, 3])).dataSync())).toEqual([7.5, -1]);
  store.dispose();
});
