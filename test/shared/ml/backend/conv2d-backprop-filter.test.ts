import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  installIm2colConv2DBackpropFilter,
  uninstallIm2colConv2DBackpropFilter,
} from '../../../../shared/ml/backend/conv2d-backprop-filter.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';

type Pad = 'valid' | 'same' | number;
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  outChannels: number;
  stride: number;
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 9, 11, 3], k: [3, 3], outChannels: 4, stride: 1, pad: 1 },
  { x: [2, 9, 11, 3], k: [3, 3], outChannels: 4, stride: 2, pad: 1 },
  { x: [1, 12, 10, 2], k: [5, 5], outChannels: 3, stride: 2, pad: 2 },
  { x: [3, 8, 8, 4], k: [4, 4], outChannels: 2, stride: 2, pad: 'same' },
  { x: [1, 7, 9, 2], k: [3, 3], outChannels: 5, stride: 2, pad: 'same' },
  { x: [2, 10, 7, 3], k: [3, 2], outChannels: 2, stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 6], k: [1, 1], outChannels: 3, stride: 1, pad: 0 },
  { x: [1, 13, 13, 2], k: [3, 3], outChannels: 2, stride: 2, pad: 'valid' },
  // 2304 output rows × 2304 patch columns: more than one chunk of patches.
  { x: [1, 48, 48, 256], k: [3, 3], outChannels: 1, stride: 1, pad: 1 },
];

function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, c: Case): Float32Array {
  const filterShape = [c.k[0], c.k[1], c.x[3], c.outChannels];
  const dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
    strides: c.stride,
    pad: c.pad,
    dataFormat: 'NHWC',
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const values = dW.dataSync() as Float32Array;
  dW.dispose();
  return values.slice();
}

function randomCase(c: Case, seed: number): { x: tf.Tensor4D; dy: tf.Tensor4D } {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D;
  const y = tf.conv2d(x, tf.zeros([c.k[0], c.k[1], c.x[3], c.outChannels]) as tf.Tensor4D, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 1) as tf.Tensor4D;
  y.dispose();
  return { x, dy };
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  return Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]))) / scale;
}

beforeAll(async () => {
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

describe('im2col Conv2DBackpropFilter', () => {
  test.each(CASES.map((c, i) => [i, c] as const))('case %i equals the cpu backend kernel to 1e-5 (%o)', (i, c) => {
    uninstallIm2colConv2DBackpropFilter('cpu');
    const { x, dy } = randomCase(c, 100 + i);
    const expected = filterGradient(x, dy, c);
    installIm2colConv2DBackpropFilter('cpu');
    const actual = filterGradient(x, dy, c);
    expect(actual.length).toBe(expected.length);
    expect(maxRelativeError(actual, expected)).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });

  test('leaks no tensors', () => {
    installIm2colConv2DBackpropFilter('cpu');
    const c = CASES[1];
    const { x, dy } = randomCase(c, 1);
    const before = tf.memory().numTensors;
    filterGradient(x, dy, c);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });

  test('makes conv training possible on wasm, with the cpu result', async () => {
    const c = CASES[2];
    uninstallIm2colConv2DBackpropFilter('cpu');
    const { x, dy } = randomCase(c, 7);
    const xValues = x.dataSync().slice();
    const dyValues = dy.dataSync().slice();
    const expected = filterGradient(x, dy, c);
    tf.dispose([x, dy]);

    await tf.setBackend('wasm');
    try {
      const wx = tf.tensor4d(xValues, c.x);
      const wdy = tf.tensor4d(dyValues, dy.shape);
      uninstallIm2colConv2DBackpropFilter('wasm');
      expect(() => filterGradient(wx, wdy, c)).toThrow(/Conv2DBackpropFilter/);
      installIm2colConv2DBackpropFilter('wasm');
      expect(maxRelativeError(filterGradient(wx, wdy, c), expected)).toBeLessThan(1e-5);
      tf.dispose([wx, wdy]);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
