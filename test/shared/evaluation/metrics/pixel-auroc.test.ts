import { describe, expect, it } from 'vitest';
import { auroc, pixelAuroc } from '../../../../shared/evaluation/metrics/index.ts';
import { flatten, randomMaps, twoImageMaps } from './metric-cases.ts';

describe('pixelAuroc', () => {
  it('equals auroc on the flattened residuals and masks', () => {
    for (const seed of [1, 2, 3]) {
      const { residuals, masks } = randomMaps(seed, 5, 64);
      expect(pixelAuroc(residuals, masks)).toBe(auroc(flatten(residuals), flatten(masks)));
    }
  });

  it('works out a hand case across two images with a tie', () => {
    // Lesion pixels 0.9, 0.5; background 0.1, 0.5, 0.2. Pairs won by lesion: 0.9 → 3,
    // 0.5 → 2 + ½ (tie). 5.5 / 6.
    const { residuals, masks } = twoImageMaps();
    expect(pixelAuroc(residuals, masks)).toBeCloseTo(5.5 / 6, 15);
  });

  it('scores 100 images of 128² pixels (1.6M) on quantised levels with their expected AUROC', () => {
    const { residuals, masks } = randomMaps(4, 100, 128 * 128);
    const lesion = residuals.map((r, k) => r.map((v, p) => (masks[k][p] === 1 ? v + 0.5 : v)));
    const value = pixelAuroc(lesion, masks);
    // Background on levels a/16, lesion on (b + 8)/16, a and b uniform on 0..15. Of the 256
    // level pairs, lesion wins where a < b + 8: 8 + 9 + … + 15 (b ≤ 7) + 8·16 (b ≥ 8) = 220,
    // and ties where a = b + 8: 8. Expected AUROC (220 + 8/2)/256 = 0.875.
    expect(value).toBeCloseTo(0.875, 2);
  });

  it('rejects missing classes and malformed masks, naming the image and pixel', () => {
    const r = [Float32Array.from([0.1, 0.2])];
    expect(() => pixelAuroc(r, [Float32Array.from([0, 0])])).toThrow(
      'pixel AUROC needs both background (mask 0) and lesion (mask 1) pixels; got only 2 background (mask 0) pixels',
    );
    expect(() => pixelAuroc(r, [])).toThrow('pixel AUROC: got 1 residual maps but 0 masks');
    expect(() => pixelAuroc([], [])).toThrow('pixel AUROC: no residual maps given');
    expect(() => pixelAuroc(r, [Float32Array.from([0, 1, 0])])).toThrow('pixel AUROC: image 0 has 2 residual values but 3 mask values');
    expect(() => pixelAuroc([r[0], r[0]], [Float32Array.from([0, 1]), Float32Array.from([0, 0.5])])).toThrow(
      'pixel AUROC: mask of image 1 is 0.5 at pixel 1; masks must be 0 or 1',
    );
    expect(() => pixelAuroc([Float32Array.from([NaN, 0])], [Float32Array.from([0, 1])])).toThrow(
      'pixel AUROC: residual of image 0 is NaN at pixel 0',
    );
  });
});
