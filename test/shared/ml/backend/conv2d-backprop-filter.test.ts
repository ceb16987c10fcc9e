import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  installIm2colConv2DBackpropFilter,
  uninstallIm2colConv2DBackpropFilter,
} from '../../../../shared/ml/backend/conv2d-backprop-filter.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { CONV_CASES, type ConvCase, maxRelativeError } from './conv-test-cases.ts';

function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, c: ConvCase): Float32Array {
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

function randomCase(c: ConvCase, seed: number): { x: tf.Tensor4D; dy: tf.Tensor4D } {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D;
  const y = tf.conv2d(x, tf.zeros([c.k[0], c.k[1], c.x[3], c.outChannels]) as tf.Tensor4D, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 1) as tf.Tensor4D;
  y.dispose();
  return { x, dy };
}

beforeAll(async () => {
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

describe('im2col Conv2DBackpropFilter', () => {
  test.each(CONV_CASES.map((c, i) => [i, c] as const))('case %i equals the cpu backend kernel to 1e-5 (%o)', (i, c) => {
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
    const c = CONV_CASES[1];
    const { x, dy } = randomCase(c, 1);
    const before = tf.memory().numTensors;
    filterGradient(x, dy, c);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });

  test('makes conv training possible on wasm, with the cpu result', async () => {
    const c = CONV_CASES[2];
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
