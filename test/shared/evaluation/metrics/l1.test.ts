import { describe, expect, it } from 'vitest';
import { l1 } from '../../../../shared/evaluation/metrics/index.ts';

describe('l1 (mean absolute error, the official anomaly score)', () => {
  it('averages |a − b| over all pixels', () => {
    // |0 − 0.5| + |1 − 0.5| + |0.25 − 0.25| + |0.5 − 0| = 1.5, over 4 pixels.
    expect(l1([0, 1, 0.25, 0.5], [0.5, 0.5, 0.25, 0])).toBe(0.375);
  });

  it('rejects mismatched, empty and non-finite images', () => {
    expect(() => l1([0, 1], [0])).toThrow('l1: images differ in size, 2 vs 1 values');
    expect(() => l1([], [])).toThrow('l1: images are empty');
    expect(() => l1([0, NaN], [0, 0])).toThrow('l1: first image has NaN at index 1');
  });
});
