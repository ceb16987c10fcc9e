import { describe, expect, it } from 'vitest';
import { auprc, pixelAuprc } from '../../../../shared/evaluation/metrics/index.ts';
import { flatten, randomMaps, twoImageMaps } from './metric-cases.ts';

describe('pixelAuprc', () => {
  it('equals auprc on the flattened residuals and masks', () => {
    const { residuals, masks } = randomMaps(5, 4, 50, 10, 0.3);
    expect(pixelAuprc(residuals, masks)).toBe(auprc(flatten(residuals), flatten(masks)));
  });

  it('works out a hand case: lesion 0.9, 0.5; background 0.1, 0.5, 0.2', () => {
    // ≥ 0.9: recall 1/2, precision 1. ≥ 0.5: recall 1, precision 2/3. AP = 1/2 + 1/3 = 5/6.
    const { residuals, masks } = twoImageMaps();
    expect(pixelAuprc(residuals, masks)).toBeCloseTo(5 / 6, 15);
  });

  it('is the lesion fraction when every residual is equal, and rejects a missing class', () => {
    expect(pixelAuprc([new Float32Array(4).fill(0.3)], [Float32Array.from([1, 0, 0, 0])])).toBe(0.25);
    expect(() => pixelAuprc([new Float32Array(2)], [Float32Array.from([1, 1])])).toThrow(
      'pixel AUPRC needs both background (mask 0) and lesion (mask 1) pixels; got only 2 lesion (mask 1) pixels',
    );
  });
});
