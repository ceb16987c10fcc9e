import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { Conv2d } from '../../../../shared/ml/layers/conv2d.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's definition, single channel: out[i][j] = Σ x[i·s+a−p][j·s+b−p]·w[a][b] + bias, zeros outside. */
function directConv(x: number[][], w: number[][], stride: number, pad: number, bias: number): number[][] {
  const k = w.length;
  const outSize = Math.floor((x.length + 2 * pad - k) / stride) + 1;
  return Array.from({ length: outSize }, (_, i) =>
    Array.from({ length: outSize }, (_, j) => {
      let sum = bias;
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) sum += (x[i * stride + a - pad]?.[j * stride + b - pad] ?? 0) * w[a][b];
      return sum;
    }),
  );
}

test.each([
  [3, 1, 4],
  [5, 2, 6],
])('a stride-2 k%i conv pads p=%i on both sides like PyTorch (input side %i)', (k, pad, n) => {
  const store = new ParameterStore(new SeededRandom(0));
  const conv = new Conv2d(store, 'c', { inChannels: 1, outChannels: 1, kernelSize: k, stride: 2, padding: pad });
  const w = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => a * k + b + 1));
  conv.weight.assign(tf.tensor4d(w.flat(), [k, k, 1, 1]));
  conv.bias!.assign(tf.tensor1d([0.5]));
  const x = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i * n + j));
  const y = conv.apply(tf.tensor4d(x.flat(), [1, n, n, 1]));
  const expected = directConv(x, w, 2, pad, 0.5);
  expect(y.shape).toEqual([1, n / 2, n / 2, 1]);
  expect(Array.from(y.dataSync())).toEqual(expected.flat());
  // TF's 'same' pads 0 before and 1 after here, which shifts the result.
  const same = tf.add(tf.conv2d(tf.tensor4d(x.flat(), [1, n, n, 1]), conv.weight as tf.Tensor4D, 2, 'same'), 0.5);
  expect(Array.from(same.dataSync())).not.toEqual(expected.flat());
  store.dispose();
});

test('multi-channel weights are PyTorch (O, I, k, k) in the state_dict and (k, k, I, O) in TF.js', () => {
  const store = new ParameterStore(new SeededRandom(0));
  const conv = new Conv2d(store, 'encoder.conv__encode_0', { inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 });
  expect([...store.parameters.keys()]).toEqual(['encoder.conv__encode_0.weight', 'encoder.conv__encode_0.bias']);
  expect(conv.weight.shape).toEqual([3, 3, 2, 3]);
  // Input channel 1 only, a centre tap for output channel 2: the output copies that channel.
  const w = tf.buffer([3, 3, 2, 3]);
  w.set(1, 1, 1, 1, 2);
  conv.weight.assign(w.toTensor());
  conv.bias!.assign(tf.zeros([3]));
  const x = tf.randomNormal([1, 5, 5, 2]) as tf.Tensor4D;
  const y = conv.apply(x);
  expect(Array.from(tf.slice(y, [0, 0, 0, 2], [1, 5, 5, 1]).dataSync())).toEqual(Array.from(tf.slice(x, [0, 0, 0, 1], [1, 5, 5, 1]).dataSync()));
  expect(tf.max(tf.abs(tf.slice(y, [0, 0, 0, 0], [1, 5, 5, 2]))).dataSync()[0]).toBe(0);
  store.dispose();
});
