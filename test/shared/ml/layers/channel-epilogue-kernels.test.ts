import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InPlaceBackend } from '../../../../shared/ml/backend/backend-buffers.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import {
  channelEpilogue,
  channelEpilogueAvailable,
  type EpilogueActivation,
  installChannelEpilogueKernels,
  uninstallChannelEpilogueKernels,
} from '../../../../shared/ml/layers/channel-epilogue-kernels.ts';
import { restoreNativeThreads, setNativeThreads } from '../backend/helpers/native-threads.ts';
import { expectClose, uniform } from './helpers/close-values.ts';

type Shape = [number, number, number, number];

interface EpilogueResults {
  y: Float32Array;
  dx: Float32Array;
  dScale: Float32Array;
  dShift: Float32Array;
}

interface EpilogueInputs {
  x: Float32Array;
  r: Float32Array;
  scale: Float32Array;
  shift: Float32Array;
}

const GENERIC: Record<EpilogueActivation, (z: tf.Tensor) => tf.Tensor> = {
  identity: (z) => z,
  relu: (z) => tf.relu(z),
  swish: (z) => tf.mul(z, tf.sigmoid(z)),
};

function caseInputs(shape: Shape, seed: number): EpilogueInputs {
  const count = shape.reduce((a, b) => a * b, 1);
  return { x: uniform(count, seed, -4, 4), r: uniform(count, seed + 1, -1, 1), scale: uniform(shape[3], seed + 2, -1.5, 1.5), shift: uniform(shape[3], seed + 3, -1, 1) };
}

/** y = act(x·scale + shift) and the gradients of Σ r ⊙ y to x, scale and shift, through `epilogue`. */
function results(shape: Shape, inputs: EpilogueInputs, epilogue: (x: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D) => tf.Tensor4D): EpilogueResults {
  return tf.tidy(() => {
    const [x, scale, shift] = [tf.tensor4d(inputs.x, shape), tf.tensor1d(inputs.scale), tf.tensor1d(inputs.shift)];
    const r = tf.tensor4d(inputs.r, shape);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(r, epilogue(a as tf.Tensor4D, b as tf.Tensor1D, c as tf.Tensor1D)));
    const [dx, dScale, dShift] = tf.grads(loss)([x, scale, shift]);
    const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
    return { y: read(epilogue(x, scale, shift)), dx: read(dx), dScale: read(dScale), dShift: read(dShift) };
  });
}

const genericResults = (shape: Shape, inputs: EpilogueInputs, activation: EpilogueActivation) =>
  results(shape, inputs, (x, scale, shift) => GENERIC[activation](tf.add(tf.mul(x, scale), shift)) as tf.Tensor4D);

const kernelResults = (shape: Shape, inputs: EpilogueInputs, activation: EpilogueActivation) =>
  results(shape, inputs, (x, scale, shift) => channelEpilogue(x, scale, shift, activation));

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
});

afterAll(async () => {
  uninstallChannelEpilogueKernels('cpu');
  uninstallChannelEpilogueKernels('wasm');
  restoreNativeThreads();
  await tf.setBackend('cpu');
});

const ACTIVATIONS: EpilogueActivation[] = ['identity', 'relu', 'swish'];
const CASES = (['cpu', 'wasm'] as InPlaceBackend[]).flatMap((backend) =>
  ACTIVATIONS.flatMap((activation) => [
    { backend, activation, shape: [2, 5, 3, 7] as Shape },
    { backend, activation, shape: [2, 32, 32, 64] as Shape },
  ]),
);

describe('native channel epilogue kernels', () => {
  test('are registered when the addon is built', async () => {
    await tf.setBackend('cpu');
    expect(installChannelEpilogueKernels('cpu')).toBe(true);
    expect(channelEpilogueAvailable()).toBe(true);
  });

  test.each(CASES)('on $backend, $activation, $shape: value and gradients equal the generic ops to rounding', async ({ backend, activation, shape }) => {
    await tf.setBackend(backend);
    installChannelEpilogueKernels(backend);
    setNativeThreads(2);
    const inputs = caseInputs(shape, 50);
    const expected = genericResults(shape, inputs, activation);
    const actual = kernelResults(shape, inputs, activation);
    expectClose(actual.y, expected.y, 1e-6);
    expectClose(actual.dx, expected.dx, 1e-6);
    expectClose(actual.dScale, expected.dScale, 1e-5);
    expectClose(actual.dShift, expected.dShift, 1e-5);
  });

  test.each(['cpu', 'wasm'] as InPlaceBackend[])('on %s: the same bits on every run with one thread count; y and dx the same with any', async (backend) => {
    await tf.setBackend(backend);
    installChannelEpilogueKernels(backend);
    const shape: Shape = [4, 32, 32, 32];
    const inputs = caseInputs(shape, 70);
    setNativeThreads(2);
    const first = kernelResults(shape, inputs, 'swish');
    expect(kernelResults(shape, inputs, 'swish')).toEqual(first);
    setNativeThreads(1);
    const single = kernelResults(shape, inputs, 'swish');
    expect(single.y).toEqual(first.y);
    expect(single.dx).toEqual(first.dx);
    expectClose(single.dScale, first.dScale, 1e-6);
  });
});
