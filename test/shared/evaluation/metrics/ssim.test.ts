import { describe, expect, it } from 'vitest';
import { ssim } from '../../../../shared/evaluation/metrics/index.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

/**
 * skimage's formula written out directly: for every 7×7 window fully inside the image,
 * means, then sample (co)variances by the two-pass Σ(x − μ)(y − μ)/48, then SSIM; mean
 * over the windows.
 */
function directSsim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number): number {
  let total = 0;
  let windows = 0;
  for (let r = 3; r < height - 3; r += 1) {
    for (let c = 3; c < width - 3; c += 1) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = -3; i <= 3; i += 1) {
        for (let j = -3; j <= 3; j += 1) {
          xs.push(a[(r + i) * width + c + j]);
          ys.push(b[(r + i) * width + c + j]);
        }
      }
      const mx = xs.reduce((s, v) => s + v, 0) / 49;
      const my = ys.reduce((s, v) => s + v, 0) / 49;
      const vx = xs.reduce((s, v) => s + (v - mx) ** 2, 0) / 48;
      const vy = ys.reduce((s, v) => s + (v - my) ** 2, 0) / 48;
      const vxy = xs.reduce((s, v, k) => s + (v - mx) * (ys[k] - my), 0) / 48;
      total += ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      windows += 1;
    }
  }
  return total / windows;
}

function image(height: number, width: number, pixel: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array(height * width);
  for (let i = 0; i < height; i += 1) for (let j = 0; j < width; j += 1) out[i * width + j] = pixel(i, j);
  return out;
}

describe('ssim (skimage structural_similarity, data_range=1, 7×7 uniform, sample covariance)', () => {
  it('is 1 for identical images', () => {
    const random = new SeededRandom(7);
    const a = Float32Array.from({ length: 16 * 16 }, () => random.nextFloat());
    expect(ssim(a, a, 16, 16)).toBeCloseTo(1, 14);
  });

  it('matches a direct per-window evaluation of the formula on random images', () => {
    for (const seed of [1, 2, 3]) {
      const random = new SeededRandom(seed);
      const a = Float32Array.from({ length: 11 * 13 }, () => random.nextFloat());
      const b = Float32Array.from(a, (v) => Math.min(1, Math.max(0, v + random.normal(0, 0.2))));
      expect(ssim(a, b, 11, 13)).toBeCloseTo(directSsim(a, b, 11, 13), 13);
    }
  });

  it('gives (2pq + C1)/(p² + q² + C1) for two constant images', () => {
    // No variance anywhere, so the contrast/structure factor is C2/C2 = 1:
    // (2·0.5·0.6 + 1e-4)/(0.25 + 0.36 + 1e-4) = 0.6001/0.6101 = 0.98360924438617.
    // skimage 0.26 prints 0.9836092443862281 (its running-sum filter leaves ~1e-16 variances).
    expect(ssim(new Float64Array(8 * 9).fill(0.5), new Float64Array(8 * 9).fill(0.6), 8, 9)).toBeCloseTo(0.6001 / 0.6101, 12);
  });

  it('gives the hand value for a 7×7 checkerboard against its inverse (one window)', () => {
    // x = (i + j) mod 2 has 24 ones, y = 1 − x has 25: μx = 24/49, μy = 25/49,
    // σx² = σy² = 24·25/(49·48) = 25/98, σxy = −25/98. SSIM =
    // (2·600/2401 + C1)(−50/98 + C2) / ((576 + 625)/2401 + C1)(50/98 + C2) = −0.99564867118466
    // (skimage 0.26: −0.9956486711846584).
    const x = image(7, 7, (i, j) => (i + j) % 2);
    const y = x.map((v) => 1 - v);
    const ux = 24 / 49;
    const uy = 25 / 49;
    const v = 25 / 98;
    const hand = ((2 * ux * uy + C1) * (-2 * v + C2)) / ((ux * ux + uy * uy + C1) * (2 * v + C2));
    expect(hand).toBeCloseTo(-0.9956486711846584, 14);
    expect(ssim(x, y, 7, 7)).toBeCloseTo(hand, 14);
  });

  it('reproduces values computed once with skimage 0.26 on float64 images', () => {
    // a = ((7i + 3j) mod 11)/10, b = ((5i + 2j) mod 7)/6, c = 0.8a + 0.1 + 0.05·sin(i + 2j),
    // 12×10; skimage.metrics.structural_similarity(·, ·, data_range=1).
    const a = image(12, 10, (i, j) => ((7 * i + 3 * j) % 11) / 10);
    const b = image(12, 10, (i, j) => ((5 * i + 2 * j) % 7) / 6);
    const c = image(12, 10, (i, j) => 0.8 * (((7 * i + 3 * j) % 11) / 10) + 0.1 + 0.05 * Math.sin(i + 2 * j));
    expect(ssim(a, b, 12, 10)).toBeCloseTo(-0.2594783280119313, 12);
    expect(ssim(a, c, 12, 10)).toBeCloseTo(0.9730217224877475, 12);
  });

  it('rejects images smaller than the window, wrong sizes and non-finite pixels', () => {
    const six = new Float64Array(36);
    expect(() => ssim(six, six, 6, 6)).toThrow('ssim: images must be at least 7×7 (the SSIM window), got 6×6');
    const a = new Float64Array(49);
    expect(() => ssim(a, a, 7, 8)).toThrow('ssim: first image has 49 values, expected 7×8 = 56');
    expect(() => ssim(a, new Float64Array(50), 7, 7)).toThrow('ssim: images differ in size, 49 vs 50 values');
    const b = new Float64Array(49);
    b[12] = NaN;
    expect(() => ssim(a, b, 7, 7)).toThrow('ssim: second image has NaN at index 12');
  });
});
