import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** `count` seeded uniform values in [low, high). */
export function uniform(count: number, seed: number, low: number, high: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([count], low, high, 'float32', seed).dataSync() as Float32Array);
}

/** Asserts that the largest difference, relative to the largest expected magnitude (at least 1), is below `tolerance`. */
export function expectClose(actual: Float32Array, expected: Float32Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let k = 0; k < actual.length; k += 1) worst = Math.max(worst, Math.abs(actual[k] - expected[k]));
  expect(worst / scale).toBeLessThan(tolerance);
}
