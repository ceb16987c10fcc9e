import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InPlaceBackend } from '../../../../shared/ml/backend/backend-buffers.ts';
import type { FusedImplementation } from '../../../../shared/ml/backend/fused-kernel-pair.ts';
import { nativeAddonStatus } from '../../../../shared/ml/backend/native-addon.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { FUSED_BOX_SUM } from '../../../../shared/ml/losses/box-sum-kernels.ts';
import { nccLoss } from '../../../../shared/ml/losses/ncc-loss.ts';
import { expectClose, uniform } from '../layers/helpers/close-values.ts';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
});

afterAll(async () => {
  FUSED_BOX_SUM.uninstall('cpu');
  FUSED_BOX_SUM.uninstall('wasm');
  setNativeThreads(1);
  await tf.setBackend('cpu');
});

function setNativeThreads(threads: number): void {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(status.reason);
  status.addon.setThreads(threads);
}

type Shape = [number, number, number, number];

/** NCC(I, J) and its gradients to I and J, on the active backend. */
function nccAndGradients(shape: Shape, seed: number): { loss: Float32Array; dI: Float32Array; dJ: Float32Array } {
  return tf.tidy(() => {
    const count = shape.reduce((a, b) => a * b, 1);
    const i = tf.tensor4d(uniform(count, seed, 0, 1), shape);
    // J is I plus noise, so that the windows correlate and the gradient is not flat.
    const j = tf.add(i, tf.tensor4d(uniform(count, seed + 1, -0.2, 0.2), shape)) as tf.Tensor4D;
    const [dI, dJ] = tf.grads((a: tf.Tensor, b: tf.Tensor) => nccLoss(a as tf.Tensor4D, b as tf.Tensor4D))([i, j]);
    return { loss: nccLoss(i, j).dataSync() as Float32Array, dI: dI.dataSync() as Float32Array, dJ: dJ.dataSync() as Float32Array };
  });
}

describe.each<FusedImplementation>(['javascript', 'native'])('fused NCC window sums (%s)', (implementation) => {
  test.each<{ backend: InPlaceBackend; shape: Shape }>([
    { backend: 'cpu', shape: [2, 12, 11, 1] },
    { backend: 'wasm', shape: [3, 16, 16, 1] },
  ])('on $backend give the convolution\'s loss and gradients to rounding ($shape)', async ({ backend, shape }) => {
    await tf.setBackend(backend);
    setNativeThreads(2);
    FUSED_BOX_SUM.uninstall(backend);
    expect(FUSED_BOX_SUM.available()).toBe(false);
    const generic = nccAndGradients(shape, 50);
    expect(FUSED_BOX_SUM.install(backend, implementation)).toBe(implementation);
    expect(FUSED_BOX_SUM.available()).toBe(true);
    const fused = nccAndGradients(shape, 50);
    expectClose(fused.loss, generic.loss, 1e-6);
    const scale = Math.max(...generic.dI.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    expectClose(fused.dI.map((v) => v / scale), generic.dI.map((v) => v / scale), 1e-4);
    expectClose(fused.dJ.map((v) => v / scale), generic.dJ.map((v) => v / scale), 1e-4);
  });

  test('with several channels every channel gets the window sum of dy, and the sums cover all channels', async () => {
    await tf.setBackend('cpu');
    FUSED_BOX_SUM.install('cpu', implementation);
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
    expect(Array.from(FUSED_BOX_SUM.apply(x, { window: 3 }).dataSync())).toEqual([21, 21]);
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(FUSED_BOX_SUM.apply(input as tf.Tensor4D, { window: 1 }), tf.tensor4d([2, -1], [1, 1, 2, 1]))))(x);
    expect(Array.from(dx.dataSync())).toEqual([2, 2, 2, -1, -1, -1]);
  });

  test('a window sum counts zeros outside the image: a 3×3 window over a 2×2 image of ones is 4 everywhere', async () => {
    await tf.setBackend('cpu');
    FUSED_BOX_SUM.install('cpu', implementation);
    const sums = FUSED_BOX_SUM.apply(tf.ones([1, 2, 2, 1]) as tf.Tensor4D, { window: 3 });
    expect(Array.from(sums.dataSync())).toEqual([4, 4, 4, 4]);
    const edges = FUSED_BOX_SUM.apply(tf.ones([1, 1, 5, 2]) as tf.Tensor4D, { window: 3 });
    expect(Array.from(edges.dataSync())).toEqual([4, 6, 6, 6, 4]);
  });
});

describe('native NCC window sums', () => {
  test.each([1, 2, 3])('on %i threads give the JavaScript kernels\' bits, forward and gradient, with 5×5 and 9×9 windows', async (threads) => {
    await tf.setBackend('cpu');
    const shape: Shape = [5, 14, 19, 3];
    const x = tf.tensor4d(uniform(5 * 14 * 19 * 3, 60, -1, 1), shape);
    const r = tf.tensor4d(uniform(5 * 14 * 19, 61, -1, 1), [5, 14, 19, 1]);
    const results = (window: number) => tf.tidy(() => {
      const sums = FUSED_BOX_SUM.apply(x, { window });
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(FUSED_BOX_SUM.apply(input as tf.Tensor4D, { window }), r)))(x);
      return [sums.dataSync(), dx.dataSync()];
    });
    FUSED_BOX_SUM.install('cpu', 'javascript');
    const javascript = [results(5), results(9)];
    setNativeThreads(threads);
    expect(FUSED_BOX_SUM.install('cpu', 'native')).toBe('native');
    expect([results(5), results(9)]).toEqual(javascript);
  });
});
