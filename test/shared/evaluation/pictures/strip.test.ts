import { describe, expect, it } from 'vitest';
import { inferno, INFERNO_ANCHORS } from '../../../../shared/evaluation/pictures/inferno.ts';
import {
  COLOUR_BAR_HEIGHT,
  GRID_LINE_COLOUR,
  NON_FINITE_COLOUR,
  PANEL_GAP,
  renderStrip,
  STRIP_MARGIN,
  stripLayout,
  type StripPanel,
} from '../../../../shared/evaluation/pictures/strip.ts';
import { decodeRgb } from './decode-rgb.ts';

const gray = (image: Float32Array, n = 8): StripPanel => ({ title: 'x', image, height: n, width: n, kind: 'gray' });

describe('renderStrip', () => {
  it('is an RGB 8-bit PNG with one cell per panel, each as wide as its scaled image', () => {
    const panels = [gray(new Float32Array(64)), gray(new Float32Array(64)), { ...gray(new Float32Array(64)), title: 'r', kind: 'heat' as const, max: 1 }];
    const png = decodeRgb(renderStrip({ panels, scale: 4 }));
    expect(png.channels).toBe(3);
    expect(png.depth).toBe(8);
    expect(png.width).toBe(2 * STRIP_MARGIN + 3 * 8 * 4 + 2 * PANEL_GAP);
    expect(png.height).toBe(stripLayout({ panels, scale: 4 }).height);
    expect(png.height).toBeGreaterThan(8 * 4 + COLOUR_BAR_HEIGHT);
  });

  it('shows gray values 0 as black and 1 as white, clamped, and non-finite pixels in the flag colour', () => {
    const image = new Float32Array(64).fill(0);
    image[1] = 1;
    image[2] = 7;
    image[3] = Number.NaN;
    const options = { panels: [gray(image)], scale: 2 };
    const png = decodeRgb(renderStrip(options));
    const { imageLeft, imageTop } = stripLayout(options).cells[0];
    const at = (c: number) => png.pixel(imageLeft + 2 * c + 1, imageTop + 1);
    expect([at(0), at(1), at(2), at(3)]).toEqual([[0, 0, 0], [255, 255, 255], [255, 255, 255], [...NON_FINITE_COLOUR]]);
  });

  it('draws a zero residual in the first colour of the map and residuals ≥ max in the last', () => {
    const image = new Float32Array(64);
    image.fill(0.8, 32);
    const options = { panels: [{ title: 'r', image, height: 8, width: 8, kind: 'heat' as const, max: 0.5 }], scale: 3 };
    const png = decodeRgb(renderStrip(options));
    const { imageLeft, imageTop } = stripLayout(options).cells[0];
    for (let y = 0; y < 24; y += 1) {
      for (let x = 0; x < 24; x += 1) expect(png.pixel(imageLeft + x, imageTop + y)).toEqual([...INFERNO_ANCHORS[y < 12 ? 0 : 15]]);
    }
  });

  it('has a colour bar running monotonically through the map from 0 at its left to max at its right', () => {
    const options = { panels: [{ title: 'r', image: new Float32Array(256), height: 16, width: 16, kind: 'heat' as const, max: 0.5 }], scale: 4 };
    const png = decodeRgb(renderStrip(options));
    const { imageLeft, imageWidth, colourBarTop } = stripLayout(options).cells[0];
    const lut = Array.from({ length: 1001 }, (_, k) => inferno(k / 1000));
    const positionOf = (rgb: readonly number[]) => {
      let best = 0;
      lut.forEach((c, k) => {
        const d = (c[0] - rgb[0]) ** 2 + (c[1] - rgb[1]) ** 2 + (c[2] - rgb[2]) ** 2;
        const bestD = (lut[best][0] - rgb[0]) ** 2 + (lut[best][1] - rgb[1]) ** 2 + (lut[best][2] - rgb[2]) ** 2;
        if (d < bestD) best = k;
      });
      return best / 1000;
    };
    const positions = Array.from({ length: imageWidth }, (_, x) => positionOf(png.pixel(imageLeft + x, colourBarTop + COLOUR_BAR_HEIGHT / 2)));
    expect(positions[0]).toBe(0);
    expect(positions[positions.length - 1]).toBe(1);
    for (let i = 1; i < positions.length; i += 1) expect(positions[i]).toBeGreaterThanOrEqual(positions[i - 1]);
  });

  it('draws a zero displacement field as straight grid lines every gridSpacing pixels', () => {
    const n = 16;
    const scale = 3;
    const options = { panels: [{ title: 'd', image: new Float32Array(n * n * 2), height: n, width: n, kind: 'grid' as const, gridSpacing: 4 }], scale };
    const png = decodeRgb(renderStrip(options));
    const { imageLeft, imageTop } = stripLayout(options).cells[0];
    // Lines through image pixels 2, 6, 10, 14, drawn through their centres: screen 3·i + 1.
    const lines = new Set([7, 19, 31, 43]);
    const first = 1;
    const last = 3 * (n - 1) + 1;
    for (let y = 0; y < n * scale; y += 1) {
      for (let x = 0; x < n * scale; x += 1) {
        const onLine = (lines.has(y) && x >= first && x <= last) || (lines.has(x) && y >= first && y <= last);
        expect(png.pixel(imageLeft + x, imageTop + y), `(${x}, ${y})`).toEqual(onLine ? [...GRID_LINE_COLOUR] : [255, 255, 255]);
      }
    }
  });

  it('moves grid lines down with a positive channel 0 (Δrow) and right with channel 1 (Δcol)', () => {
    const n = 16;
    const field = new Float32Array(n * n * 2);
    for (let p = 0; p < n * n; p += 1) {
      field[2 * p] = 2;
      field[2 * p + 1] = -1;
    }
    const options = { panels: [{ title: 'd', image: field, height: n, width: n, kind: 'grid' as const, gridSpacing: 4 }], scale: 3 };
    const png = decodeRgb(renderStrip(options));
    const { imageLeft, imageTop } = stripLayout(options).cells[0];
    const isLine = (x: number, y: number) => png.pixel(imageLeft + x, imageTop + y).join() === GRID_LINE_COLOUR.join();
    // The horizontal line of image row 2 (screen 7) moves 2 rows down (screen 13); the vertical
    // line of column 6 (screen 19) moves 1 column left (screen 16).
    expect(isLine(25, 7)).toBe(false);
    expect(isLine(25, 13)).toBe(true);
    expect(isLine(19, 22)).toBe(false);
    expect(isLine(16, 22)).toBe(true);
  });

  it('names the panel and field of bad input', () => {
    expect(() => renderStrip({ panels: [gray(new Float32Array(63))] })).toThrow(/panels\[0\] \("x"\): image has 63 values, expected 8×8 = 64/);
    expect(() => renderStrip({ panels: [{ title: 'd', image: new Float32Array(64), height: 8, width: 8, kind: 'grid' }] })).toThrow(/expected 8×8×2 = 128/);
    expect(() => renderStrip({ panels: [{ ...gray(new Float32Array(64)), kind: 'heat', max: 0 }] })).toThrow(/max must be a finite number above 0/);
    expect(() => renderStrip({ panels: [gray(new Float32Array(64))], scale: 1.5 })).toThrow(/scale must be a positive integer/);
    expect(() => renderStrip({ panels: [] })).toThrow(/panels is empty/);
  });
});
