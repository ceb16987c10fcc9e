import { describe, expect, it } from 'vitest';
import { resizeBilinear } from '../../../shared/data/resize-bilinear.ts';

const close = (actual: Float32Array, expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
};

// Expected values worked by hand from the half-pixel rule: output i samples the input
// at (i + 0.5) · in/out − 0.5, clamped at 0, last row/column repeated.
describe('resizeBilinear (PyTorch align_corners=False, no antialias)', () => {
  it('upsamples 2×2 to 4×4', () => {
    // Along each axis the samples fall at 0 (clamped from −0.25), 0.25, 0.75, 1 (1.25 past the edge).
    const out = resizeBilinear(Float32Array.from([0, 1, 2, 3]), [2, 2], [4, 4]);
    close(out, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
  });

  it('downsamples by a non-integer factor (5 → 3 samples at 1/3, 2, 3 2/3)', () => {
    close(resizeBilinear(Float32Array.from([0, 3, 6, 9, 12]), [1, 5], [1, 3]), [1, 6, 11]);
    close(resizeBilinear(Float32Array.from([0, 3, 6, 9, 12]), [5, 1], [3, 1]), [1, 6, 11]);
  });

  it('does not antialias: shrinking 6 → 2 reads only inputs 1 and 4', () => {
    close(resizeBilinear(Float32Array.from([0, 0, 9, 0, 0, 0]), [1, 6], [1, 2]), [0, 0]);
    close(resizeBilinear(Float32Array.from([5, 7, 9, 0, 2, 0]), [1, 6], [1, 2]), [7, 2]);
  });

  it('returns a copy when the size is unchanged, and rejects a wrong source length', () => {
    const source = Float32Array.from([1, 2, 3, 4]);
    const out = resizeBilinear(source, [2, 2], [2, 2]);
    close(out, [1, 2, 3, 4]);
    expect(out).not.toBe(source);
    expect(() => resizeBilinear(source, [3, 2], [2, 2])).toThrow(/4 values, expected 3×2 = 6/);
  });
});
