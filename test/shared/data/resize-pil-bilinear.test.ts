import { describe, expect, it } from 'vitest';
import { resizePilBilinear } from '../../../shared/data/resize-pil-bilinear.ts';

const resize = (rows: number[][], to: [number, number]): number[][] => {
  const out = resizePilBilinear(Uint8Array.from(rows.flat()), [rows.length, rows[0].length], to);
  return Array.from({ length: to[0] }, (_, i) => Array.from(out.subarray(i * to[1], (i + 1) * to[1])));
};

// Hand-worked from Pillow's rule: output o is centred at c = (o + 0.5)·s (s = in/out);
// when shrinking the triangle is stretched to support s, weights 1 − |x + 0.5 − c| / s
// over inputs x in [round(c − s), round(c + s)), renormalised; uint8 rounding per pass.
describe('resizePilBilinear (Pillow Image.resize BILINEAR, antialiased)', () => {
  it('shrinks 4 → 2 with a stretched triangle over three inputs', () => {
    // o = 0: c = 1, inputs 0, 1, 2 weigh 0.75, 0.75, 0.25 → (0 + 75 + 50) / 1.75 = 71.4.
    // o = 1: c = 3, inputs 1, 2, 3 weigh 0.25, 0.75, 0.75 → (25 + 150 + 191.25) / 1.75 = 209.3.
    expect(resize([[0, 100, 200, 255]], [1, 2])).toEqual([[71, 209]]);
    expect(resize([[0], [100], [200], [255]], [2, 1])).toEqual([[71], [209]]);
  });

  it('shrinks 3 → 1 to a triangle-weighted mean, horizontal pass first', () => {
    // c = 1.5, support 3: weights 1 − |x − 1| / 3 = 2/3, 1, 2/3 → (0 + 90 + 170) / (7/3) = 111.4.
    expect(resize([[0, 90, 255]], [1, 1])).toEqual([[111]]);
    // Rows become 111, 30 and round((60·2/3 + 0 + 9·2/3) / (7/3)) = 20; then (74 + 30 + 13.3) / (7/3) = 50.3.
    expect(resize([[0, 90, 255], [30, 30, 30], [60, 0, 9]], [1, 1])).toEqual([[50]]);
  });

  it('returns the image unchanged at equal size', () => {
    const source = [
      [3, 250, 17],
      [99, 0, 255],
    ];
    expect(resize(source, [2, 3])).toEqual(source);
  });

  it('enlarges as plain bilinear with half-pixel centres, edges renormalised', () => {
    // Along each axis the outputs sample 0.25, 0.75 → 0 weighs 1 at the edge, then 0.75/0.25, 0.25/0.75, 1.
    // Row 0: 0, 25, 75, 100; row 3: 200, 213.75, 241.25, 255 → 214, 241; rows 1 and 2 mix the
    // rounded rows 0.75/0.25, e.g. 0.75 · 25 + 0.25 · 214 = 72.25.
    expect(resize([[0, 100], [200, 255]], [4, 4])).toEqual([
      [0, 25, 75, 100],
      [50, 72, 117, 139],
      [150, 167, 200, 216],
      [200, 214, 241, 255],
    ]);
  });

  it('matches Pillow on a 7×9 image shrunk to 3×4 and resampled to 10×5', () => {
    // Expected values computed with Pillow 12.3, Image.resize((w, h), Image.BILINEAR) on mode L.
    const source = [
      [130, 183, 14, 238, 127, 26, 80, 57, 190],
      [240, 126, 194, 52, 127, 6, 110, 208, 143],
      [93, 199, 81, 36, 71, 227, 64, 67, 0],
      [2, 107, 110, 84, 85, 148, 160, 101, 104],
      [93, 100, 196, 152, 11, 184, 212, 84, 74],
      [135, 33, 169, 154, 1, 173, 33, 158, 181],
      [156, 246, 161, 94, 246, 241, 90, 29, 131],
    ];
    expect(resize(source, [3, 4])).toEqual([
      [154, 114, 86, 119],
      [104, 100, 130, 100],
      [137, 135, 137, 112],
    ]);
    expect(resize(source, [10, 5])).toEqual([
      [144, 116, 129, 59, 125],
      [168, 128, 103, 79, 149],
      [176, 125, 86, 101, 135],
      [140, 91, 98, 115, 40],
      [84, 97, 100, 135, 81],
      [72, 123, 95, 157, 100],
      [103, 163, 85, 175, 92],
      [96, 145, 79, 120, 143],
      [139, 147, 136, 112, 126],
      [195, 156, 209, 126, 84],
    ]);
  });

  it('rejects a source of the wrong length and non-integer sizes', () => {
    expect(() => resizePilBilinear(new Uint8Array(5), [2, 3], [1, 1])).toThrow(/source has 5 values, expected 2×3 = 6/);
    expect(() => resizePilBilinear(new Uint8Array(6), [2, 3], [0, 1])).toThrow(/to must be two positive integers/);
  });
});
