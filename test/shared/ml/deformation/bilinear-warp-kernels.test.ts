import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FusedImplementation } from '../../../../shared/ml/backend/fused-kernel-pair.ts';
import { nativeAddonStatus } from '../../../../shared/ml/backend/native-addon.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { FUSED_WARP } from '../../../../shared/ml/deformation/bilinear-warp-kernels.ts';
import { warp } from '../../../../shared/ml/deformation/spatial-transformer.ts';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

afterAll(() => {
  FUSED_WARP.uninstall('cpu');
  FUSED_WARP.uninstall('wasm');
  setNativeThreads(1);
});

const IMPLEMENTATIONS: FusedImplementation[] = ['javascript', 'native'];

function setNativeThreads(threads: number): void {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(status.reason);
  status.addon.setThreads(threads);
}

interface WarpResults {
  out: Float32Array;
  dSrc: Float32Array;
  dFlow: Float32Array;
}

/** Output of warp and the gradients of Σ r ⊙ warp(src, flow)² on the active backend. */
function warpResults(shape: [number, number, number, number], src: Float32Array, flow: Float32Array, r: Float32Array): WarpResults {
  return tf.tidy(() => {
    const [b, h, w] = shape;
    const s = tf.tensor4d(src, shape);
    const f = tf.tensor4d(flow, [b, h, w, 2]);
    const weights = tf.tensor4d(r, shape);
    const [dSrc, dFlow] = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(weights, tf.square(warp(a as tf.Tensor4D, c as tf.Tensor4D)))))([s, f]);
    return { out: warp(s, f).dataSync() as Float32Array, dSrc: dSrc.dataSync() as Float32Array, dFlow: dFlow.dataSync() as Float32Array };
  });
}

function uniform(count: number, seed: number, scale: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([count], -scale, scale, 'float32', seed).dataSync() as Float32Array);
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let k = 0; k < actual.length; k += 1) worst = Math.max(worst, Math.abs(actual[k] - expected[k]) / Math.max(1, Math.abs(expected[k])));
  expect(worst).toBeLessThan(tolerance);
}

const CASES: Array<{ shape: [number, number, number, number]; reach: number }> = [
  { shape: [2, 16, 12, 1], reach: 3 },
  { shape: [3, 9, 11, 2], reach: 6 },
  { shape: [1, 20, 20, 3], reach: 1.5 },
];

describe('fused bilinear warp kernels', () => {
  test('the native pair is registered where the addon is built', () => {
    expect(FUSED_WARP.install('cpu')).toBe('native');
    FUSED_WARP.uninstall('cpu');
  });

  describe.each(IMPLEMENTATIONS)('%s', (implementation) => {
    test.each(CASES)('equal the generic ops in value and both gradients ($shape, shifts up to ±$reach px)', ({ shape, reach }) => {
      const [b, h, w, c] = shape;
      const src = uniform(b * h * w * c, 1, 1);
      const flow = uniform(b * h * w * 2, 2, reach);
      const r = uniform(b * h * w * c, 3, 1);
      setNativeThreads(2);
      FUSED_WARP.uninstall('cpu');
      expect(FUSED_WARP.available()).toBe(false);
      const generic = warpResults(shape, src, flow, r);
      expect(FUSED_WARP.install('cpu', implementation)).toBe(implementation);
      expect(FUSED_WARP.available()).toBe(true);
      const fused = warpResults(shape, src, flow, r);
      expectClose(fused.out, generic.out, 1e-6);
      expectClose(fused.dSrc, generic.dSrc, 1e-5);
      expectClose(fused.dFlow, generic.dFlow, 1e-5);
    });

    test('on wasm they give the cpu values and repeat bit for bit', async () => {
      const shape: [number, number, number, number] = [2, 10, 10, 2];
      const src = uniform(400, 4, 1);
      const flow = uniform(400, 5, 4);
      const r = uniform(400, 6, 1);
      FUSED_WARP.install('cpu', implementation);
      const cpu = warpResults(shape, src, flow, r);
      await tf.setBackend('wasm');
      try {
        expect(FUSED_WARP.install('wasm', implementation)).toBe(implementation);
        const wasm = warpResults(shape, src, flow, r);
        expect(wasm).toEqual(cpu);
        expect(warpResults(shape, src, flow, r)).toEqual(wasm);
      } finally {
        await tf.setBackend('cpu');
      }
    });
  });

  test('the native kernels take an empty batch and an empty image', () => {
    expect(FUSED_WARP.install('cpu', 'native')).toBe('native');
    for (const shape of [[0, 4, 4, 1], [2, 0, 3, 1]] as Array<[number, number, number, number]>) {
      const results = warpResults(shape, new Float32Array(0), new Float32Array(0), new Float32Array(0));
      expect([results.out.length, results.dSrc.length, results.dFlow.length]).toEqual([0, 0, 0]);
    }
  });

  test.each([1, 2, 3])('the native kernels on %i threads give the JavaScript kernels\' bits, samples outside the image included', (threads) => {
    // 12 800 pixels: enough for the native kernels to start a thread per 4096.
    const shape: [number, number, number, number] = [5, 64, 40, 2];
    const [b, h, w, c] = shape;
    const src = uniform(b * h * w * c, 7, 1);
    const flow = uniform(b * h * w * 2, 8, 30);
    const r = uniform(b * h * w * c, 9, 1);
    FUSED_WARP.install('cpu', 'javascript');
    const javascript = warpResults(shape, src, flow, r);
    setNativeThreads(threads);
    FUSED_WARP.install('cpu', 'native');
    expect(warpResults(shape, src, flow, r)).toEqual(javascript);
  });
});
