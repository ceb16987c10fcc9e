import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, test } from 'vitest';
import type { InPlaceBackend } from '../../../../shared/ml/backend/backend-buffers.ts';
import { Adam, type AdamOptions } from '../../../../shared/ml/optim/adam.ts';
import { type AdamPass, adamKernelAvailable, installAdamKernel, uninstallAdamKernel } from '../../../../shared/ml/optim/adam-kernel.ts';

afterAll(async () => {
  uninstallAdamKernel('cpu');
  uninstallAdamKernel('wasm');
  await tf.setBackend('cpu');
});

/** The parameters and every optimizer slot after `steps` Adam steps on seeded gradients (seeds from 1: seed 0 draws unseeded), as arrays. */
function trainedState(options: AdamOptions, steps: number): Record<string, number[]> {
  const params = new Map([
    ['w', tf.variable(tf.randomNormal([5, 7], 0, 1, 'float32', 1))],
    ['b', tf.variable(tf.randomNormal([7], 0, 0.1, 'float32', 2))],
    // Large enough for the native pass to split it over two threads.
    ['big', tf.variable(tf.randomNormal([3, 3, 128, 128], 0, 0.1, 'float32', 3))],
  ]);
  const adam = new Adam(params, options);
  for (let step = 0; step < steps; step++) {
    const gradients = new Map([...params].map(([name, p], k) => [name, tf.randomNormal(p.shape, 0, 10 ** (k - step % 3), 'float32', 10 * step + k + 1)]));
    adam.applyGradients(gradients);
    tf.dispose([...gradients.values()]);
  }
  const state = Object.fromEntries([...params, ...adam.stateSlots()].map(([name, t]) => [name, Array.from(t.dataSync())]));
  adam.dispose();
  tf.dispose([...params.values()]);
  return state;
}

describe('the one-pass Adam kernel', () => {
  test.each<{ backend: InPlaceBackend; pass: AdamPass; options: AdamOptions }>(
    (['native', 'javascript'] as AdamPass[]).flatMap((pass) => [
      { backend: 'cpu', pass, options: { lr: 1e-3 } },
      { backend: 'cpu', pass, options: { lr: 0.05, amsgrad: true, weightDecay: 1e-2 } },
      { backend: 'wasm', pass, options: { lr: 1e-3 } },
      { backend: 'wasm', pass, options: { lr: 0.05, amsgrad: true, weightDecay: 1e-2, beta1: 0.5, epsilon: 1e-6 } },
      { backend: 'wasm', pass, options: { lr: 0.05, weightDecay: 1e-2 } },
      { backend: 'cpu', pass, options: { lr: 0.05, amsgrad: true } },
    ]),
  )('the $pass pass on $backend gives the generic update bit for bit, parameters and moments ($options)', async ({ backend, pass, options }) => {
    await tf.setBackend(backend);
    uninstallAdamKernel(backend);
    expect(adamKernelAvailable()).toBe(false);
    const generic = trainedState(options, 6);
    installAdamKernel(backend, pass);
    expect(adamKernelAvailable()).toBe(true);
    const fused = trainedState(options, 6);
    expect(Object.keys(fused).sort()).toEqual(Object.keys(generic).sort());
    expect(fused).toEqual(generic);
    uninstallAdamKernel(backend);
  });

  test('leaks no tensors: one step leaves as many as before', async () => {
    await tf.setBackend('cpu');
    installAdamKernel('cpu');
    const params = new Map([['w', tf.variable(tf.ones([3]))]]);
    const adam = new Adam(params, { lr: 0.1, amsgrad: true });
    const grad = tf.ones([3]);
    adam.applyGradients(new Map([['w', grad]]));
    const before = tf.memory().numTensors;
    adam.applyGradients(new Map([['w', grad]]));
    expect(tf.memory().numTensors).toBe(before);
    expect(params.get('w')!.dataSync()[0]).toBeLessThan(1);
  });
});
