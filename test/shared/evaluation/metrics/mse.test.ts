import { describe, expect, it } from 'vitest';
import { mse } from '../../../../shared/evaluation/metrics/index.ts';

describe('mse (mean squared error)', () => {
  it('averages (a − b)² over all pixels', () => {
    // 0.25 + 0.25 + 0 + 0.25 = 0.75, over 4 pixels.
    expect(mse([0, 1, 0.25, 0.5], [0.5, 0.5, 0.25, 0])).toBe(0.1875);
  });

  it('rejects mismatched and non-finite images', () => {
    expect(() => mse([0, 1], [0, 1, 2])).toThrow('mse: images differ in size, 2 vs 3 values');
    expect(() => mse([0, 0], [0, Infinity])).toThrow('mse: second image has Infinity at index 1');
  });
});
