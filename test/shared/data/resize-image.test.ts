import { describe, expect, it } from 'vitest';
import { resizeBilinear } from '../../../shared/data/resize-bilinear.ts';
import { resizeImage } from '../../../shared/data/resize-image.ts';

describe('resizeImage', () => {
  it('bilinear is the training path (no antialias, no quantisation)', () => {
    const source = Float32Array.from([0.1, 0.5004, 0.9, 0.3]);
    expect(resizeImage(source, [1, 4], [1, 2], 'bilinear')).toEqual(resizeBilinear(source, [1, 4], [1, 2]));
  });

  it('antialias truncates ×255 to uint8 even at equal size, then ÷ 255', () => {
    // 0.5 · 255 = 127.5 → 127; 0.999 · 255 = 254.7 → 254; 1 → 255.
    const out = resizeImage(Float32Array.from([0.5, 0.999, 1, 0]), [2, 2], [2, 2], 'antialias');
    expect(Array.from(out, (v) => Math.round(v * 255 * 1000) / 1000)).toEqual([127, 254, 255, 0]);
    expect(out[0]).toBe(Math.fround(127 / 255));
  });

  it('antialias shrinks with Pillow’s stretched triangle, bilinear with two taps', () => {
    const source = Float32Array.from([0, 100, 200, 255].map((v) => v / 255));
    expect(Array.from(resizeImage(source, [1, 4], [1, 2], 'antialias'), (v) => Math.round(v * 255))).toEqual([71, 209]);
    // Half-pixel samples at 0.5 and 2.5: (0 + 100) / 2 and (200 + 255) / 2.
    resizeImage(source, [1, 4], [1, 2], 'bilinear').forEach((v, k) => expect(v * 255).toBeCloseTo([50, 227.5][k], 4));
  });
});
