import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test } from 'vitest';
import { nativeConvAddonStatus } from '../../../../shared/ml/backend/native-conv-kernels.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';

const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
/** The library the device string names (e.g. `oneDNN 2.6.3`), as the addon reports it. */
function convLibrary(): string {
  const status = nativeConvAddonStatus();
  if (!status.available) throw new Error(`native convolution kernels not built: ${status.reason}`);
  return status.library;
}
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  const saved = { backend: process.env.AELAB_BACKEND, threads: process.env.AELAB_THREADS };
  afterEach(() => {
    if (saved.backend === undefined) delete process.env.AELAB_BACKEND;
    else process.env.AELAB_BACKEND = saved.backend;
    if (saved.threads === undefined) delete process.env.AELAB_THREADS;
    else process.env.AELAB_THREADS = saved.threads;
  });

  test('an unknown value is refused with the list of valid values', async () => {
    await expect(selectBackend('gpu')).rejects.toThrow('unknown backend "gpu" (AELAB_BACKEND); valid values: auto, tensorflow, webgpu, wasm, cpu');
  });

  test('reads AELAB_BACKEND when called without an argument', async () => {
    process.env.AELAB_BACKEND = 'nonsense';
    await expect(selectBackend()).rejects.toThrow(/unknown backend "nonsense"/);
  });

  test('cpu activates the pure-JS backend with gradients for conv training', async () => {
    delete process.env.AELAB_THREADS;
    const selected = await selectBackend('CPU');
    const cores = availableParallelism();
    expect(selected).toEqual({
      name: 'cpu',
      device: `cpu (pure JavaScript; native convolutions (${convLibrary()}, ${cores} thread${cores === 1 ? '' : 's'}))`,
      package: '@tensorflow/tfjs-backend-cpu',
      threads: cores,
    });
    expect(tf.getBackend()).toBe('cpu');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 1)))(tf.ones([3, 3, 1, 1]));
    // Along each axis tap 0 reads padding for the first output, taps 1 and 2 never: counts [1, 2, 2].
    expect(Array.from(dW.dataSync())).toEqual([1, 2, 2, 2, 4, 4, 2, 4, 4]);
  });

  test('AELAB_THREADS sets the threads the convolutions use, and a bad value names the variable', async () => {
    process.env.AELAB_THREADS = '1';
    const selected = await selectBackend('cpu');
    expect(selected.threads).toBe(1);
    expect(selected.device).toBe(`cpu (pure JavaScript; native convolutions (${convLibrary()}, 1 thread))`);
    process.env.AELAB_THREADS = 'all';
    await expect(selectBackend('cpu')).rejects.toThrow('AELAB_THREADS must be a positive integer (the number of threads to compute with), got "all"');
  });

  test.skipIf(nativeInstalled)('auto falls back to cpu when no native binding is installed', async () => {
    expect((await selectBackend('auto')).name).toBe('cpu');
  });

  test.skipIf(nativeInstalled)('an explicit tensorflow request that cannot load says how to install it', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/npm run setup:tensorflow/);
  });

  test('webgpu runs on the adapter Dawn finds, records it, and trains convolutions with its own filter gradient', async () => {
    const selected = await selectBackend('webgpu');
    expect(selected.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(selected.adapter?.backend).toMatch(/^(vulkan|opengles)$/);
    expect(selected.device).toContain(selected.adapter!.device);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')).toBeDefined();
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 1)))(tf.ones([3, 3, 1, 1]));
    expect(Array.from(await dW.data())).toEqual([1, 2, 2, 2, 4, 4, 2, 4, 4]);
    if (selected.adapter?.software) expect((await selectBackend('auto')).name).not.toBe('webgpu');
    await selectBackend('cpu');
  });

  test('wasm is used only when asked for, and can train convolutions', async () => {
    const selected = await selectBackend('wasm');
    expect(selected.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 1)))(tf.ones([3, 3, 1, 1]));
    expect(Array.from(dW.dataSync())).toEqual([1, 2, 2, 2, 4, 4, 2, 4, 4]);
    await selectBackend('cpu');
  });
});
