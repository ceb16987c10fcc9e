import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InPlaceBackend } from '../../../../shared/ml/backend/backend-buffers.ts';
import { installConvolutionKernels } from '../../../../shared/ml/backend/convolution-kernels.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { installChannelSumKernel, uninstallChannelSumKernel } from '../../../../shared/ml/layers/channel-bias.ts';
import { Conv2d } from '../../../../shared/ml/layers/conv2d.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { expectClose, uniform } from './helpers/close-values.ts';

interface ConvResults {
  y: Float32Array;
  dx: Float32Array;
  dWeight: Float32Array;
  dBias: Float32Array;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
});

afterAll(async () => {
  uninstallChannelSumKernel('cpu');
  uninstallChannelSumKernel('wasm');
  await tf.setBackend('cpu');
});

/** A biased conv's output and the gradients of Σ r ⊙ y to x, weight and bias, on the active backend. */
function convResults(shape: [number, number, number, number], outChannels: number, seed: number): ConvResults {
  const store = new ParameterStore(new SeededRandom(seed));
  const conv = new Conv2d(store, 'c', { inChannels: shape[3], outChannels, kernelSize: 3, padding: 1 });
  const results = tf.tidy(() => {
    const x = tf.tensor4d(uniform(shape.reduce((a, b) => a * b, 1), seed, -2, 2), shape);
    const r = tf.tensor4d(uniform(shape[0] * shape[1] * shape[2] * outChannels, seed + 1, -1, 1), [shape[0], shape[1], shape[2], outChannels]);
    const loss = (input: tf.Tensor4D) => tf.sum(tf.mul(r, conv.apply(input))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(() => loss(x), [conv.weight, conv.bias!]);
    value.dispose();
    return {
      y: conv.apply(x).dataSync() as Float32Array,
      dx: tf.grad((input: tf.Tensor) => loss(input as tf.Tensor4D))(x).dataSync() as Float32Array,
      dWeight: grads[conv.weight.name].dataSync() as Float32Array,
      dBias: grads[conv.bias!.name].dataSync() as Float32Array,
    };
  });
  store.dispose();
  return results;
}

describe('conv bias add with the fused channel-sum gradient', () => {
  test.each<InPlaceBackend>(['cpu', 'wasm'])('on %s: the generic values and gradients, the bias gradient to rounding', async (backend) => {
    await tf.setBackend(backend);
    // wasm has no filter gradient of its own.
    if (backend === 'wasm') installConvolutionKernels('wasm');
    uninstallChannelSumKernel(backend);
    const generic = convResults([3, 9, 7, 4], 6, 40);
    installChannelSumKernel(backend);
    const fused = convResults([3, 9, 7, 4], 6, 40);
    expect(fused.y).toEqual(generic.y);
    expect(fused.dx).toEqual(generic.dx);
    expect(fused.dWeight).toEqual(generic.dWeight);
    expectClose(fused.dBias, generic.dBias, 1e-5);
    // Σ r over each output channel: the bias gradient is not trivially zero.
    expect(Math.max(...fused.dBias.map(Math.abs))).toBeGreaterThan(1);
  });
});
