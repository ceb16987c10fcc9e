import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { ConvTranspose2d } from '../../../../shared/ml/layers/conv-transpose2d.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * PyTorch's definition, one channel: every input pixel (i, j) adds x·w[a][b] at output
 * (i·s − p + a, j·s − p + b); the output has (n−1)·s − 2p + k + op rows and columns.
 */
function directTransposed(x: number[][], w: number[][], s: number, p: number, op: number): number[][] {
  const k = w.length;
  const size = (x.length - 1) * s - 2 * p + k + op;
  const out = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  x.forEach((row, i) =>
    row.forEach((v, j) => {
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) {
          const y = i * s - p + a;
          const z = j * s - p + b;
          if (y >= 0 && y < size && z >= 0 && z < size) out[y][z] += v * w[a][b];
        }
    }),
  );
  return out;
}

test.each([
  { k: 3, s: 2, p: 1, op: 1, n: 4 },
  { k: 5, s: 2, p: 2, op: 1, n: 3 },
  { k: 4, s: 2, p: 1, op: 0, n: 3 },
  { k: 3, s: 2, p: 0, op: 1, n: 2 },
  { k: 4, s: 1, p: 0, op: 0, n: 1 },
])('k$k s$s p$p output_padding $op on $n×$n: PyTorch size and alignment', ({ k, s, p, op, n }) => {
  const store = new ParameterStore(new SeededRandom(0));
  const layer = new ConvTranspose2d(store, 't', { inChannels: 1, outChannels: 1, kernelSize: k, stride: s, padding: p, outputPadding: op });
  const w = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => a * k + b + 1));
  layer.weight.assign(tf.tensor4d(w.flat(), [k, k, 1, 1]));
  layer.bias!.assign(tf.tensor1d([0]));
  const x = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1 + i * n + j));
  const y = layer.apply(tf.tensor4d(x.flat(), [1, n, n, 1]));
  const expected = directTransposed(x, w, s, p, op);
  expect(y.shape).toEqual([1, expected.length, expected.length, 1]);
  expect(layer.outputSize(n)).toBe(expected.length);
  expect(Array.from(y.dataSync())).toEqual(expected.flat());
  store.dispose();
});

test('weights are PyTorch (I, O, k, k) and TF.js (k, k, O, I); output_padding must stay below the stride', () => {
  const store = new ParameterStore(new SeededRandom(0));
  const layer = new ConvTranspose2d(store, 'd', { inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 });
  expect(layer.weight.shape).toEqual([3, 3, 2, 4]);
  expect(layer.apply(tf.zeros([2, 5, 5, 4]) as tf.Tensor4D).shape).toEqual([2, 10, 10, 2]);
  expect(() => new ConvTranspose2d(store, 'e', { inChannels: 1, outChannels: 1, kernelSize: 3, stride: 1, outputPadding: 1 })).toThrow(
    /output_padding \(1\) must be smaller than stride \(1\)/,
  );
  store.dispose();
});
