import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { uninstallIm2colConv2DBackpropFilter } from '../../../../shared/ml/backend/conv2d-backprop-filter.ts';
import {
  installNativeConvKernels,
  nativeConvAddonStatus,
  uninstallNativeConvKernels,
} from '../../../../shared/ml/backend/native-conv-kernels.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { CONV_CASES, type ConvCase, maxRelativeError } from './conv-test-cases.ts';

interface ConvResults {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/** Forward and both gradients of sum(conv2d(x, w) · dy), through the engine's registered kernels. */
function convResults(xValues: Float32Array, wValues: Float32Array, dyValues: Float32Array, c: ConvCase): ConvResults {
  return tf.tidy(() => {
    const x = tf.tensor4d(xValues, c.x);
    const w = tf.tensor4d(wValues, [c.k[0], c.k[1], c.x[3], c.outChannels]);
    const forward = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.stride, c.pad);
    const y = forward(x, w);
    const dy = tf.tensor(dyValues, y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

function randomValues(count: number, seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([count], 0, 1, 'float32', seed).dataSync() as Float32Array);
}

function caseInputs(c: ConvCase, seed: number): { x: Float32Array; w: Float32Array; dy: Float32Array } {
  const y = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k[0], c.k[1], c.x[3], c.outChannels]) as tf.Tensor4D, c.stride, c.pad));
  const yCount = y.size;
  y.dispose();
  return {
    x: randomValues(tf.util.sizeFromShape(c.x), seed),
    w: randomValues(c.k[0] * c.k[1] * c.x[3] * c.outChannels, seed + 1),
    dy: randomValues(yCount, seed + 2),
  };
}

/** Whether both results hold the same bits (vitest's toEqual takes seconds on arrays this long). */
function sameBits(a: ConvResults, b: ConvResults): boolean {
  const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return (['y', 'dx', 'dw'] as const).every((key) => bytes(a[key]).equals(bytes(b[key])));
}

function expectClose(actual: ConvResults, expected: ConvResults): void {
  expect(maxRelativeError(actual.y, expected.y)).toBeLessThan(1e-5);
  expect(maxRelativeError(actual.dx, expected.dx)).toBeLessThan(1e-5);
  expect(maxRelativeError(actual.dw, expected.dw)).toBeLessThan(1e-5);
}

// 38 MFLOP per pass, enough for oneDNN to run each on two threads (conv-onednn.h, passThreads).
const BASELINE_LIKE_CASES: ConvCase[] = [
  { x: [2, 16, 16, 64], k: [3, 3], outChannels: 64, stride: 1, pad: 1 },
  { x: [4, 32, 32, 32], k: [3, 3], outChannels: 64, stride: 2, pad: 1 },
];

/**
 * The native convolution kernels against the cpu backend's own, on every CONV_CASES shape, on the
 * cpu and wasm backends, computed by `library` (the addon's convLibrary, e.g. /^oneDNN /).
 */
export function describeNativeConvKernels(library: RegExp): void {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await ensureGradientsRegistered();
    await tf.setBackend('cpu');
    uninstallIm2colConv2DBackpropFilter('cpu');
  });

  afterAll(() => {
    uninstallNativeConvKernels('cpu');
    uninstallNativeConvKernels('wasm');
  });

  // The tests compute synchronously for many seconds each on a busy machine; between them the
  // worker answers vitest's messages, which time out after 60 s unanswered.
  beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

  describe(`native convolution kernels (${library.source})`, () => {
    test('the addon is built by the install, and computes with the expected library', () => {
      const status = nativeConvAddonStatus();
      expect(status).toMatchObject({ available: true });
      if (status.available) expect(status.library).toMatch(library);
    });

    test.each(CONV_CASES.map((c, i) => [i, c] as const))('case %i: conv2d, input and filter gradients equal the cpu backend kernels (%o)', (i, c) => {
      const inputs = caseInputs(c, 100 + 3 * i);
      uninstallNativeConvKernels('cpu');
      const expected = convResults(inputs.x, inputs.w, inputs.dy, c);
      installNativeConvKernels('cpu', 2);
      expectClose(convResults(inputs.x, inputs.w, inputs.dy, c), expected);
    });

    test('the transposed convolution (its kernels are the same three) equals the cpu backend', () => {
      const x = randomValues(2 * 5 * 6 * 4, 11);
      const w = randomValues(2 * 2 * 3 * 4, 12);
      const transposed = () =>
        tf.tidy(() => {
          const xt = tf.tensor4d(x, [2, 5, 6, 4]);
          const wt = tf.tensor4d(w, [2, 2, 3, 4]);
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 10, 12, 3], 2, 'valid')));
          return tf.grads(f)([xt, wt]).map((g) => g.dataSync() as Float32Array);
        });
      uninstallNativeConvKernels('cpu');
      const expected = transposed();
      installNativeConvKernels('cpu', 2);
      const actual = transposed();
      expect(maxRelativeError(actual[0], expected[0])).toBeLessThan(1e-5);
      expect(maxRelativeError(actual[1], expected[1])).toBeLessThan(1e-5);
    });

    test('one thread and two threads give the same values, and so does a repeat', () => {
      const c = CONV_CASES[CONV_CASES.length - 1];
      const inputs = caseInputs(c, 5);
      installNativeConvKernels('cpu', 1);
      const one = convResults(inputs.x, inputs.w, inputs.dy, c);
      installNativeConvKernels('cpu', 2);
      const two = convResults(inputs.x, inputs.w, inputs.dy, c);
      const again = convResults(inputs.x, inputs.w, inputs.dy, c);
      expect(sameBits(two, again)).toBe(true);
      expect(maxRelativeError(two.dw, one.dw)).toBeLessThan(1e-5);
    });

    // Shapes of the baseline AE's layers (64 channels), large enough for every pass to split over
    // both threads; the thread counts alternate so that each count's kernels are used
    // again later.
    test.each(BASELINE_LIKE_CASES)('a baseline-sized layer equals the cpu backend, with the same bits on every repeat with the same thread count (%o)', (c) => {
      const inputs = caseInputs(c, 21);
      uninstallNativeConvKernels('cpu');
      const expected = convResults(inputs.x, inputs.w, inputs.dy, c);
      const runs = [1, 2, 1, 2, 2].map((threads) => {
        installNativeConvKernels('cpu', threads);
        return { threads, results: convResults(inputs.x, inputs.w, inputs.dy, c) };
      });
      for (const threads of [1, 2]) {
        const same = runs.filter((run) => run.threads === threads);
        expectClose(same[0].results, expected);
        for (const run of same.slice(1)) expect(sameBits(run.results, same[0].results)).toBe(true);
      }
    });

    test('on wasm they read and write the wasm heap, with the cpu result', async () => {
      const c = CONV_CASES[2];
      const inputs = caseInputs(c, 40);
      uninstallNativeConvKernels('cpu');
      const expected = convResults(inputs.x, inputs.w, inputs.dy, c);
      await tf.setBackend('wasm');
      try {
        installNativeConvKernels('wasm', 2);
        expectClose(convResults(inputs.x, inputs.w, inputs.dy, c), expected);
      } finally {
        await tf.setBackend('cpu');
      }
    });

    test('a dilated convolution goes to the backend kernel it replaced', () => {
      installNativeConvKernels('cpu', 2);
      const x = tf.tensor4d(randomValues(50, 3), [1, 5, 5, 2]);
      const w = tf.tensor4d(randomValues(8, 4), [2, 2, 2, 1]);
      const dilated = tf.conv2d(x, w, 1, 'valid', 'NHWC', 2).dataSync();
      uninstallNativeConvKernels('cpu');
      const reference = tf.conv2d(x, w, 1, 'valid', 'NHWC', 2).dataSync();
      expect(Array.from(dilated)).toEqual(Array.from(reference));
      tf.dispose([x, w]);
    });

    test('leaks no tensors', () => {
      installNativeConvKernels('cpu', 2);
      const c = CONV_CASES[1];
      const inputs = caseInputs(c, 1);
      const before = tf.memory().numTensors;
      convResults(inputs.x, inputs.w, inputs.dy, c);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
