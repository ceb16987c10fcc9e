import { expect } from 'vitest';

/** Convolution shapes the kernel tests run: strides, paddings, kernel shapes, 1×1, several chunks. */
export interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  outChannels: number;
  stride: number;
  pad: 'valid' | 'same' | number;
}

export const CONV_CASES: ConvCase[] = [
  { x: [2, 9, 11, 3], k: [3, 3], outChannels: 4, stride: 1, pad: 1 },
  { x: [2, 9, 11, 3], k: [3, 3], outChannels: 4, stride: 2, pad: 1 },
  { x: [1, 12, 10, 2], k: [5, 5], outChannels: 3, stride: 2, pad: 2 },
  { x: [3, 8, 8, 4], k: [4, 4], outChannels: 2, stride: 2, pad: 'same' },
  { x: [1, 7, 9, 2], k: [3, 3], outChannels: 5, stride: 2, pad: 'same' },
  { x: [2, 10, 7, 3], k: [3, 2], outChannels: 2, stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 6], k: [1, 1], outChannels: 3, stride: 1, pad: 0 },
  { x: [2, 8, 8, 6], k: [1, 1], outChannels: 3, stride: 2, pad: 0 },
  { x: [1, 13, 13, 2], k: [3, 3], outChannels: 2, stride: 2, pad: 'valid' },
  // 3060 output rows of 72 patch columns: with two threads each thread's rows take several
  // chunks, and the input gradient splits 3 images into 1 and 2.
  { x: [3, 34, 30, 8], k: [3, 3], outChannels: 6, stride: 1, pad: 1 },
  // 2304 output rows × 2304 patch columns: the patches take more than one chunk.
  { x: [1, 48, 48, 256], k: [3, 3], outChannels: 2, stride: 1, pad: 1 },
];

/** Largest absolute difference, relative to the largest expected magnitude (at least 1). */
export function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / scale;
}
