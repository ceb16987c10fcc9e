import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import type { FusedImplementation } from '../../../../shared/ml/backend/fused-kernel-pair.ts';
import { FUSED_WARP } from '../../../../shared/ml/deformation/bilinear-warp-kernels.ts';
import { warp } from '../../../../shared/ml/deformation/spatial-transformer.ts';

beforeAll(async () => {
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

/** A [1, H, W, 2] field with the same displacement (dy, dx) at every pixel. */
function constantFlow(height: number, width: number, dy: number, dx: number): tf.Tensor4D {
  const values = new Float32Array(height * width * 2);
  for (let p = 0; p < height * width; p++) values.set([dy, dx], p * 2);
  return tf.tensor4d(values, [1, height, width, 2]);
}

function ramp(height: number, width: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: height * width }, (_, p) => p), [1, height, width, 1]);
}

/** Deterministic values in [-1, 1) (a fixed LCG, so the cases do not depend on TF.js RNG). */
function pseudoRandom(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
}

/** Gradients of L = Σ r ⊙ warp(src, flow)² with respect to src and flow. */
function warpGradients(
  src: tf.Tensor4D,
  flow: tf.Tensor4D,
  r: tf.Tensor4D,
): { dSrc: Float32Array; dFlow: Float32Array } {
  const [dSrc, dFlow] = tf.grads((s: tf.Tensor, f: tf.Tensor) =>
    tf.sum(tf.mul(r, tf.square(warp(s as tf.Tensor4D, f as tf.Tensor4D)))),
  )([src, flow]);
  const result = { dSrc: dSrc.dataSync() as Float32Array, dFlow: dFlow.dataSync() as Float32Array };
  tf.dispose([dSrc, dFlow]);
  return result;
}

// Every behaviour holds for the generic ops and for both implementations of the fused kernels
// that selectBackend installs (native where the addon is built).
describe.each<[string, FusedImplementation | undefined]>([
  ['generic ops', undefined],
  ['fused JavaScript kernels', 'javascript'],
  ['fused native kernels', 'native'],
])('%s', (_, fused) => {
  beforeAll(() => {
    for (const backend of ['cpu', 'wasm'] as const) {
      if (fused) expect(FUSED_WARP.install(backend, fused)).toBe(fused);
      else FUSED_WARP.uninstall(backend);
    }
  });

  describe('warp (bilinear pull warping with per-corner zero padding)', () => {
    test('a zero field returns the image unchanged', () => {
      const src = ramp(4, 6);
      expect(Array.from(warp(src, constantFlow(4, 6, 0, 0)).dataSync())).toEqual(Array.from(src.dataSync()));
    });

    test('5×5 ramp 0..24 shifted by u1 = +0.5: row 0 is [0.5, 1.5, 2.5, 3.5, 2.0] (docs/models.md §14.2)', () => {
      const out = warp(ramp(5, 5), constantFlow(5, 5, 0, 0.5)).dataSync();
      expect(Array.from(out.subarray(0, 5))).toEqual([0.5, 1.5, 2.5, 3.5, 2.0]);
      // The right border reads half of itself: its right neighbour is outside and counts 0.
      expect(out[24]).toBe(12);
    });

    test('channel 0 moves along rows, channel 1 along columns, in pixels', () => {
      const src = ramp(4, 5);
      expect(warp(src, constantFlow(4, 5, 1, 0)).dataSync()[0]).toBe(5);
      expect(warp(src, constantFlow(4, 5, 0, 2)).dataSync()[0]).toBe(2);
      expect(warp(src, constantFlow(4, 5, 0.25, 0.5)).dataSync()[6]).toBeCloseTo(6 + 0.25 * 5 + 0.5, 5);
    });

    test('each corner outside the image contributes 0, the inside ones keep their weights', () => {
      const src = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
      // Pixel (0, 0) pulled to (-0.25, -0.75): only the corner (0, 0) is inside, weight 0.75·0.25.
      const out = warp(src, constantFlow(3, 3, -0.25, -0.75)).dataSync();
      expect(out[0]).toBeCloseTo(0.75 * 0.25, 6);
      // A sample entirely outside the image (more than one pixel away) is 0.
      expect(warp(src, constantFlow(3, 3, 0, -5)).dataSync()[4]).toBe(0);
    });

    test('samples each image of a batch from itself', () => {
      const src = tf.tensor4d([1, 2, 3, 4, 10, 20, 30, 40], [2, 2, 2, 1]);
      const flow = tf.concat([constantFlow(2, 2, 0, 1), constantFlow(2, 2, 1, 0)]) as tf.Tensor4D;
      expect(Array.from(warp(src, flow).dataSync())).toEqual([2, 0, 4, 0, 30, 40, 0, 0]);
    });

    test('gradients match central finite differences (B=2, 6×7, C=2)', () => {
      const [b, h, w, c] = [2, 6, 7, 2];
      const srcValues = pseudoRandom(b * h * w * c, 1);
      // Shifts of up to ±2 px (so some corners fall outside), fractional parts kept in
      // [0.15, 0.85] so that a ±1e-2 step never crosses a cell edge.
      const fractions = pseudoRandom(b * h * w * 2, 4);
      const flowValues = pseudoRandom(b * h * w * 2, 2).map((u, k) => Math.round(u * 2) + 0.5 + 0.35 * fractions[k]);
      const rValues = pseudoRandom(b * h * w * c, 3);
      const r = tf.tensor4d(rValues, [b, h, w, c]);
      const loss = (s: Float32Array, f: Float32Array): number =>
        tf.tidy(() => {
          const out = warp(tf.tensor4d(s, [b, h, w, c]), tf.tensor4d(f, [b, h, w, 2])).dataSync<'float32'>();
          return out.reduce((sum, value, k) => sum + rValues[k] * value * value, 0);
        });
      const src = tf.tensor4d(srcValues, [b, h, w, c]);
      const { dSrc, dFlow } = warpGradients(src, tf.tensor4d(flowValues, [b, h, w, 2]), r);

      const step = 1e-2;
      const numeric = (values: Float32Array, k: number, evaluate: (v: Float32Array) => number): number => {
        const plus = values.slice();
        const minus = values.slice();
        plus[k] += step;
        minus[k] -= step;
        return (evaluate(plus) - evaluate(minus)) / (2 * step);
      };
      let nonZeroFlowGradients = 0;
      for (let k = 0; k < srcValues.length; k++) {
        const expected = numeric(srcValues, k, (s) => loss(s, flowValues));
        expect(Math.abs(dSrc[k] - expected)).toBeLessThanOrEqual(1e-3 + 1e-2 * Math.abs(expected));
      }
      for (let k = 0; k < flowValues.length; k++) {
        const expected = numeric(flowValues, k, (f) => loss(srcValues, f));
        expect(Math.abs(dFlow[k] - expected)).toBeLessThanOrEqual(1e-3 + 1e-2 * Math.abs(expected));
        if (Math.abs(expected) > 1e-2) nonZeroFlowGradients++;
      }
      expect(nonZeroFlowGradients).toBeGreaterThan(flowValues.length / 2);
    });

    test('at an integer position the flow gradient uses the cell that starts there (floor), as PyTorch', () => {
      const src = tf.tensor4d([0, 1, 4, 9], [1, 1, 4, 1]);
      const flow = tf.tensor4d([0, 1, 0, 0, 0, 0, 0, 0], [1, 1, 4, 2]);
      const [dFlow] = tf.grads((f: tf.Tensor) => tf.sum(warp(src, f as tf.Tensor4D)))([flow]);
      const dx = Array.from(dFlow.dataSync()).filter((_, k) => k % 2 === 1);
      // Pixel 0 samples x = 1: forward difference 4 − 1. Pixels 1, 2: 4 − 1, 9 − 4.
      // Pixel 3 (x = 3, the last column): its right neighbour is outside, so 0 − 9.
      expect(dx).toEqual([3, 3, 5, -9]);
    });

    test('the gradient costs time linear in the size (8×128×128×1 against 8×32×32×1)', () => {
      const fastest = (size: number): number => {
        const src = tf.randomUniform([8, size, size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
        const flow = tf.randomNormal([8, size, size, 2], 0, 3, 'float32', 2) as tf.Tensor4D;
        const r = tf.onesLike(src) as tf.Tensor4D;
        let best = Infinity;
        for (let rep = 0; rep < 3; rep++) {
          const start = performance.now();
          warpGradients(src, flow, r);
          best = Math.min(best, performance.now() - start);
        }
        tf.dispose([src, flow, r]);
        return best;
      };
      const small = fastest(32);
      const large = fastest(128);
      // 16× the pixels: linear gives ~16×, a quadratic gather gradient ~256×.
      expect(large / small).toBeLessThan(64);
    });

    test('runs forward and backward on wasm (no UnsortedSegmentSum there) with the cpu values', async () => {
      const shape: [number, number, number, number] = [2, 5, 6, 2];
      const srcValues = pseudoRandom(2 * 5 * 6 * 2, 11);
      const flowValues = pseudoRandom(2 * 5 * 6 * 2, 12).map((u) => u * 2.5);
      const run = () =>
        tf.tidy(() => {
          const src = tf.tensor4d(srcValues, shape);
          const flow = tf.tensor4d(flowValues, [2, 5, 6, 2]);
          const gradients = warpGradients(src, flow, tf.onesLike(src) as tf.Tensor4D);
          return { out: warp(src, flow).dataSync().slice(), ...gradients };
        });
      const cpu = run();
      await tf.setBackend('wasm');
      try {
        const wasm = run();
        for (const key of ['out', 'dSrc', 'dFlow'] as const) {
          wasm[key].forEach((value, k) => expect(value).toBeCloseTo(cpu[key][k], 5));
        }
      } finally {
        await tf.setBackend('cpu');
      }
    });

    test('leaks no tensors, forward or backward', () => {
      const src = ramp(5, 6);
      const flow = constantFlow(5, 6, 0.3, -0.6);
      const r = tf.onesLike(src) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        warp(src, flow);
      });
      warpGradients(src, flow, r);
      expect(tf.memory().numTensors).toBe(before);
    });

    test('refuses a field of the wrong shape, naming it', () => {
      const src = ramp(4, 4);
      expect(() => warp(src, tf.zeros([1, 4, 4, 3]) as tf.Tensor4D)).toThrow(/flow must be \[B, H, W, 2\].*\[1, 4, 4, 3\]/);
      expect(() => warp(src, tf.zeros([1, 4, 5, 2]) as tf.Tensor4D)).toThrow(/flow \[1, 4, 5, 2\] must match src \[1, 4, 4, 1\]/);
    });
  });
});
