import { describe, expect, it } from 'vitest';
import { PHANTOM_PATHOLOGIES, renderPhantom } from '../../../shared/data/phantoms.ts';
import { resizeBilinear } from '../../../shared/data/resize-bilinear.ts';

const SIZE: [number, number] = [64, 64];

function bytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Mean over the normalised box [x0, x1) × [y0, y1). */
function boxMean(image: Float32Array, [h, w]: [number, number], x0: number, x1: number, y0: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let i = Math.floor(y0 * h); i < Math.floor(y1 * h); i++) {
    for (let j = Math.floor(x0 * w); j < Math.floor(x1 * w); j++) {
      sum += image[i * w + j];
      n++;
    }
  }
  return sum / n;
}

describe('renderPhantom', () => {
  it('gives identical bytes for the same seed and index, whatever was rendered before', () => {
    const first = renderPhantom({ seed: 7, index: 3, size: SIZE, pathology: 'nodule' });
    for (let index = 0; index < 5; index++) renderPhantom({ seed: 7, index, size: SIZE, pathology: 'opacity' });
    const again = renderPhantom({ seed: 7, index: 3, size: SIZE, pathology: 'nodule' });
    expect(bytes(again.image).equals(bytes(first.image))).toBe(true);
    expect(bytes(again.mask).equals(bytes(first.mask))).toBe(true);
  });

  it('gives different images for different indices and different seeds', () => {
    const a = renderPhantom({ seed: 7, index: 3, size: SIZE });
    const b = renderPhantom({ seed: 7, index: 4, size: SIZE });
    const c = renderPhantom({ seed: 8, index: 3, size: SIZE });
    expect(bytes(a.image).equals(bytes(b.image))).toBe(false);
    expect(bytes(a.image).equals(bytes(c.image))).toBe(false);
  });

  it('keeps values in [0, 1] at 32, 64 and 128 pixels', () => {
    for (const side of [32, 64, 128]) {
      for (const pathology of [null, ...PHANTOM_PATHOLOGIES]) {
        const { image, mask } = renderPhantom({ seed: 1, index: side, size: [side, side], pathology });
        expect(image.length).toBe(side * side);
        expect(mask.length).toBe(side * side);
        expect(image.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
      }
    }
  });

  it('looks like a chest X-ray: dark lungs, bright mediastinum, dark air outside the body', () => {
    for (let index = 0; index < 6; index++) {
      const { image } = renderPhantom({ seed: 11, index, size: SIZE });
      const mediastinum = boxMean(image, SIZE, 0.46, 0.54, 0.3, 0.6);
      const leftLung = boxMean(image, SIZE, 0.22, 0.32, 0.35, 0.55);
      const rightLung = boxMean(image, SIZE, 0.68, 0.78, 0.35, 0.5);
      const cornerAir = boxMean(image, SIZE, 0, 0.06, 0, 0.06);
      expect(mediastinum - leftLung).toBeGreaterThan(0.25);
      expect(mediastinum - rightLung).toBeGreaterThan(0.25);
      expect(cornerAir).toBeLessThan(0.15);
    }
  });

  it('varies the anatomy between healthy subjects', () => {
    const lungAreas = Array.from({ length: 12 }, (_, index) => {
      const { image } = renderPhantom({ seed: 5, index, size: SIZE });
      return image.filter((v) => v > 0.12 && v < 0.4).length / image.length;
    });
    for (const area of lungAreas) {
      expect(area).toBeGreaterThan(0.08);
      expect(area).toBeLessThan(0.6);
    }
    expect(Math.max(...lungAreas) / Math.min(...lungAreas)).toBeGreaterThan(1.2);
  });

  it('renders the same subject at any size (only the sampling differs)', () => {
    const small = renderPhantom({ seed: 2, index: 9, size: [64, 64] }).image;
    const large = resizeBilinear(renderPhantom({ seed: 2, index: 9, size: [128, 128] }).image, [128, 128], [64, 64]);
    const other = renderPhantom({ seed: 2, index: 10, size: [64, 64] }).image;
    const meanAbs = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, p) => sum + Math.abs(v - b[p]), 0) / a.length;
    expect(meanAbs(small, large)).toBeLessThan(0.03);
    expect(meanAbs(small, other)).toBeGreaterThan(2 * meanAbs(small, large));
  });

  for (const pathology of PHANTOM_PATHOLOGIES) {
    it(`adds a ${pathology} with its mask: inside the image, brighter than the healthy subject`, () => {
      for (let index = 0; index < 8; index++) {
        const healthy = renderPhantom({ seed: 3, index, size: SIZE });
        const sick = renderPhantom({ seed: 3, index, size: SIZE, pathology });
        const inside: number[] = [];
        sick.mask.forEach((m, p) => {
          if (m === 1) inside.push(p);
        });
        expect(inside.length).toBeGreaterThan(pathology === 'nodule' ? 3 : 15);
        expect(inside.length).toBeLessThan(0.25 * sick.mask.length);
        const [h, w] = SIZE;
        for (const p of inside) {
          const [i, j] = [Math.floor(p / w), p % w];
          expect(i > 0 && j > 0 && i < h - 1 && j < w - 1).toBe(true);
        }
        const gain = inside.reduce((sum, p) => sum + sick.image[p] - healthy.image[p], 0) / inside.length;
        expect(gain).toBeGreaterThan(pathology === 'opacity' ? 0.08 : 0.15);
        // Pathologies only add density: no pixel gets darker.
        expect(sick.image.every((v, p) => v >= healthy.image[p] - 1e-6)).toBe(true);
        expect(healthy.mask.every((m) => m === 0)).toBe(true);
      }
    });
  }

  it('rejects bad options with a message naming the field', () => {
    expect(() => renderPhantom({ seed: 1, index: -1, size: SIZE })).toThrow(/index/);
    expect(() => renderPhantom({ seed: 1, index: 0, size: [0, 64] })).toThrow(/size/);
    expect(() => renderPhantom({ seed: 1, index: 0, size: SIZE, pathology: 'tumour' as 'nodule' })).toThrow(/unknown pathology 'tumour'/);
  });
});
