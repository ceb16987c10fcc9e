import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installNativeResizeKernels, uninstallNativeResizeKernels } from '../../../../shared/ml/backend/native-resize-kernels.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { restoreNativeThreads, setNativeThreads } from './helpers/native-threads.ts';
import { expectClose, uniform } from '../layers/helpers/close-values.ts';

type Shape = [number, number, number, number];

interface ResizeCase {
  shape: Shape;
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters?: boolean;
}

/** The resized images and the gradient of Σ r ⊙ resized to the images, through the registered kernels. */
function resizeResults(c: ResizeCase, seed: number): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(uniform(tf.util.sizeFromShape(c.shape), seed, -2, 2), c.shape);
    const resize = (images: tf.Tensor) => tf.image.resizeBilinear(images as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters ?? false);
    const y = resize(x);
    const r = tf.tensor(uniform(y.size, seed + 1, -1, 1), y.shape);
    const dx = tf.grad((images: tf.Tensor) => tf.sum(tf.mul(r, resize(images))))(x);
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  });
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
});

afterAll(async () => {
  uninstallNativeResizeKernels('cpu');
  uninstallNativeResizeKernels('wasm');
  restoreNativeThreads();
  await tf.setBackend('cpu');
});

// Square images only: the cpu backend's gradient kernel gives a non-square image's gradient the
// transposed shape (its values are right), which the engine rejects.
const SQUARE_CASES: ResizeCase[] = [
  { shape: [2, 5, 5, 3], size: [10, 10], alignCorners: true },
  { shape: [1, 1, 1, 4], size: [2, 2], alignCorners: true },
  { shape: [2, 32, 32, 32], size: [64, 64], alignCorners: true },
  // Not covered: the replaced kernels run.
  { shape: [1, 6, 6, 2], size: [9, 9], alignCorners: false },
  { shape: [1, 6, 6, 2], size: [12, 12], alignCorners: false, halfPixelCenters: true },
];
const CASES: ResizeCase[] = [...SQUARE_CASES, { shape: [2, 5, 7, 3], size: [10, 14], alignCorners: true }];

describe('native bilinear resize kernels', () => {
  test.each(SQUARE_CASES)('on cpu equal the backend kernels bit for bit: images and their gradient ($shape → $size, alignCorners $alignCorners)', async (c) => {
    await tf.setBackend('cpu');
    setNativeThreads(2);
    uninstallNativeResizeKernels('cpu');
    const generic = resizeResults(c, 11);
    expect(installNativeResizeKernels('cpu')).toBe(true);
    expect(resizeResults(c, 11)).toEqual(generic);
  });

  test.each(CASES)('on wasm equal the backend kernels to float32 rounding ($shape → $size, alignCorners $alignCorners)', async (c) => {
    await tf.setBackend('wasm');
    setNativeThreads(2);
    uninstallNativeResizeKernels('wasm');
    const generic = resizeResults(c, 21);
    installNativeResizeKernels('wasm');
    const native = resizeResults(c, 21);
    // wasm computes the source positions in float32: up to 63·ulp(0.5) off at a 64-pixel side.
    expectClose(native.y, generic.y, 1e-5);
    expectClose(native.dx, generic.dx, 1e-5);
  });

  test('give the same bits with one thread or two', async () => {
    await tf.setBackend('wasm');
    installNativeResizeKernels('wasm');
    setNativeThreads(2);
    const two = resizeResults(SQUARE_CASES[2], 31);
    setNativeThreads(1);
    expect(resizeResults(SQUARE_CASES[2], 31)).toEqual(two);
  });
});
