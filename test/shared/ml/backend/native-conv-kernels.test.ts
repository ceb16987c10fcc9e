import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { uninstallIm2colConv2DBackpropFilter } from '../../../../shared/ml/backend/conv2d-backprop-filter.ts';
import {
  installNativeConvKernels,
  nativeConvAddonStatus,
  uninstallNativeConvKernels,
} from '../../../../shared/ml/backend/native-conv-kernels.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { cpuFlags, openblasCoreTypeFor } from '../../../../shared/ml/backend/openblas-core-type.ts';
import { CONV_CASES, type ConvCase, maxRelativeError } from './conv-test-cases.ts';

const MODULE_PATH = fileURLToPath(new URL('../../../../shared/ml/backend/native-conv-kernels.ts', import.meta.url));

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

function expectClose(actual: ConvResults, expected: ConvResults): void {
  expect(maxRelativeError(actual.y, expected.y)).toBeLessThan(1e-5);
  expect(maxRelativeError(actual.dx, expected.dx)).toBeLessThan(1e-5);
  expect(maxRelativeError(actual.dw, expected.dw)).toBeLessThan(1e-5);
}

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

describe('native convolution kernels', () => {
  test('the addon is built by the install', () => {
    expect(nativeConvAddonStatus()).toMatchObject({ available: true });
  });

  test('with no OPENBLAS_CORETYPE set, OpenBLAS runs the kernels chosen for this CPU, and a set one is kept', () => {
    const script = `import { nativeConvAddonStatus } from ${JSON.stringify(MODULE_PATH)}; const s = nativeConvAddonStatus(); console.log(s.available ? s.blasCore : s.reason);`;
    const blasCoreWith = (coreType: string | undefined) => {
      const env = { ...process.env, OPENBLAS_CORETYPE: coreType };
      if (coreType === undefined) delete env.OPENBLAS_CORETYPE;
      return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' }).trim();
    };
    const chosen = openblasCoreTypeFor(cpuFlags(), undefined);
    const unset = blasCoreWith(undefined);
    if (chosen !== undefined) expect(unset).toBe(chosen);
    expect(blasCoreWith('Haswell')).toBe('Haswell');
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
    expect(two).toEqual(again);
    expect(maxRelativeError(two.dw, one.dw)).toBeLessThan(1e-5);
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
