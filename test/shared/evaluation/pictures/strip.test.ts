import { describe, expect, it } from 'vitest';
import { inferno, INFERNO_ANCHORS } from '../../../../shared/evaluation/pictures/inferno.ts';
import { COLOUR_BAR_HEIGHT, PANEL_GAP, STRIP_MARGIN, stripLayout, type StripOptions } from '../../../../shared/evaluation/pictures/strip-chart.ts';
import { NON_FINITE_COLOUR, type StripPanel } from '../../../../shared/evaluation/pictures/strip-panels.ts';
import { renderPanel, renderStrip, renderStripSvg } from '../../../../shared/evaluation/pictures/strip.ts';
import { decodeRgb } from './decode-rgb.ts';

const gray = (image: Float32Array, n = 8, title = 'x'): StripPanel => ({ title, image, height: n, width: n, kind: 'gray' });
const heat = (image: Float32Array, n = 8, max = 0.5): StripPanel => ({ title: 'residual', image, height: n, width: n, kind: 'heat', max });
const WHITE = [255, 255, 255];

/** The strip as pixels, with the panels' positions. */
function drawn(options: StripOptions) {
  return { png: decodeRgb(renderStrip(options)), layout: stripLayout(options) };
}

/** Where on the inferno map (0 to 1) a colour lies: the nearest of 1001 evenly spaced samples. */
function positionOnMap(rgb: readonly number[]): number {
  const lut = Array.from({ length: 1001 }, (_, k) => inferno(k / 1000));
  const distance = (c: readonly number[]) => (c[0] - rgb[0]) ** 2 + (c[1] - rgb[1]) ** 2 + (c[2] - rgb[2]) ** 2;
  let best = 0;
  lut.forEach((c, k) => {
    if (distance(c) < distance(lut[best])) best = k;
  });
  return best / 1000;
}

describe('renderStrip: the strip chart drawn by ECharts on the server', () => {
  it('is a PNG with one cell per panel, each as wide as its scaled image, titles above and a colour bar under the residual', () => {
    const panels = [gray(new Float32Array(1024), 32, 'input'), gray(new Float32Array(1024), 32, 'prior'), heat(new Float32Array(1024), 32)];
    const { png, layout } = drawn({ panels, scale: 4 });
    expect(png.depth).toBe(8);
    expect(png.width).toBe(2 * STRIP_MARGIN + 3 * 32 * 4 + 2 * PANEL_GAP);
    expect(png.height).toBe(layout.height);
    expect(png.height).toBeGreaterThan(32 * 4 + COLOUR_BAR_HEIGHT);
  });

  it('places the input and reconstruction pixels exactly, each image pixel a scale×scale block, 0 black, 1 white, clamped, non-finite flagged', () => {
    const n = 12;
    const input = new Float32Array(n * n).map((_, i) => (i * 7919) % 101 / 100);
    input[1] = 7;
    input[2] = -3;
    input[3] = Number.NaN;
    const reconstruction = input.map((v) => 1 - v);
    const { png, layout } = drawn({ panels: [gray(input, n, 'input'), gray(reconstruction, n, 'reconstruction')], scale: 3 });
    const expected = (v: number) => (Number.isFinite(v) ? Array(3).fill(Math.round(Math.min(1, Math.max(0, v)) * 255)) : [...NON_FINITE_COLOUR]);
    [input, reconstruction].forEach((image, panel) => {
      const { imageLeft, imageTop } = layout.cells[panel];
      for (let y = 0; y < n * 3; y += 1) {
        for (let x = 0; x < n * 3; x += 1) {
          expect(png.pixel(imageLeft + x, imageTop + y), `panel ${panel} (${x}, ${y})`).toEqual(expected(image[Math.floor(y / 3) * n + Math.floor(x / 3)]));
        }
      }
    });
  });

  it('writes the panel titles as text of the SVG and draws them in the title band (a font is found)', () => {
    const panels = [gray(new Float32Array(64), 8, 'input'), gray(new Float32Array(64), 8, 'reconstruction'), heat(new Float32Array(64))];
    const { svg, layout } = renderStripSvg({ panels, scale: 16 });
    for (const title of ['input', 'reconstruction', 'residual']) expect(svg).toMatch(new RegExp(`<text[^>]*>${title}</text>`));
    const png = decodeRgb(renderStrip({ panels, scale: 16 }));
    const cell = layout.cells[1];
    let dark = 0;
    for (let y = STRIP_MARGIN; y < cell.imageTop - 2; y += 1) {
      for (let x = cell.left; x < cell.left + cell.width; x += 1) if (png.pixel(x, y)[0] < 128) dark += 1;
    }
    expect(dark).toBeGreaterThan(50);
  });

  it('draws residuals of every strip on one fixed scale: 0 in the first colour, max and above in the last, a value the same colour whatever else the image holds', () => {
    const image = new Float32Array(64);
    image.fill(0.8, 32);
    const { png, layout } = drawn({ panels: [heat(image)], scale: 3 });
    const { imageLeft, imageTop } = layout.cells[0];
    for (let y = 0; y < 24; y += 1) {
      for (let x = 0; x < 24; x += 1) expect(png.pixel(imageLeft + x, imageTop + y)).toEqual([...INFERNO_ANCHORS[y < 12 ? 0 : 15]]);
    }
    const quarterOf = (largest: number) => {
      const residual = new Float32Array(64).fill(0.25);
      residual[63] = largest;
      const strip = drawn({ panels: [heat(residual)], scale: 3 });
      return strip.png.pixel(strip.layout.cells[0].imageLeft, strip.layout.cells[0].imageTop);
    };
    expect(quarterOf(0.3)).toEqual(quarterOf(5));
    expect(quarterOf(0.3)).toEqual([...inferno(0.5)]);
  });

  it('has a colour bar running monotonically through the map from 0 at its left to max at its right', () => {
    const { png, layout } = drawn({ panels: [heat(new Float32Array(256), 16)], scale: 4 });
    const { imageLeft, imageWidth, belowTop } = layout.cells[0];
    const positions = Array.from({ length: imageWidth }, (_, x) => positionOnMap(png.pixel(imageLeft + x, belowTop + COLOUR_BAR_HEIGHT / 2)));
    expect(positions[0]).toBeLessThan(0.01);
    expect(positions[positions.length - 1]).toBeGreaterThan(0.99);
    for (let i = 1; i < positions.length; i += 1) expect(positions[i]).toBeGreaterThanOrEqual(positions[i - 1]);
  });

  it('draws a zero displacement field as straight grid lines every gridSpacing pixels', () => {
    const n = 16;
    const scale = 3;
    const { png, layout } = drawn({ panels: [{ title: 'd', image: new Float32Array(n * n * 2), height: n, width: n, kind: 'grid', gridSpacing: 4 }], scale });
    const { imageLeft, imageTop } = layout.cells[0];
    // Lines through image pixels 2, 6, 10, 14, along their centres: screen rows and columns 3·i + 1.
    const lines = new Set([7, 19, 31, 43]);
    for (let y = 2; y < n * scale - 2; y += 1) {
      for (let x = 2; x < n * scale - 2; x += 1) {
        const [red, , blue] = png.pixel(imageLeft + x, imageTop + y);
        const onLine = lines.has(y) || lines.has(x);
        expect(onLine ? blue - red > 60 : [red, blue], `(${x}, ${y})`).toEqual(onLine ? true : [255, 255]);
      }
    }
  });

  it('moves grid lines down with a positive channel 0 (Δrow) and right with channel 1 (Δcol), and captions the largest displacement', () => {
    const n = 16;
    const field = new Float32Array(n * n * 2);
    for (let p = 0; p < n * n; p += 1) {
      field[2 * p] = 2;
      field[2 * p + 1] = -1;
    }
    const options: StripOptions = { panels: [{ title: 'd', image: field, height: n, width: n, kind: 'grid', gridSpacing: 4 }], scale: 3 };
    const { png, layout } = drawn(options);
    const { imageLeft, imageTop } = layout.cells[0];
    const isLine = (x: number, y: number) => png.pixel(imageLeft + x, imageTop + y).join() !== WHITE.join();
    // The line of image row 2 (screen 7) moves 2 rows down (screen 13); that of column 6 (screen 19) 1 column left (16).
    expect([isLine(25, 7), isLine(25, 13)]).toEqual([false, true]);
    expect([isLine(19, 22), isLine(16, 22)]).toEqual([false, true]);
    expect(renderStripSvg(options).svg).toContain('max |u| 2.24 px');
  });

  it('names the panel and field of bad input', () => {
    expect(() => renderStrip({ panels: [gray(new Float32Array(63))] })).toThrow(/panels\[0\] \("x"\): image has 63 values, expected 8×8 = 64/);
    expect(() => renderStrip({ panels: [{ title: 'd', image: new Float32Array(64), height: 8, width: 8, kind: 'grid' }] })).toThrow(/expected 8×8×2 = 128/);
    expect(() => renderStrip({ panels: [heat(new Float32Array(64), 8, 0)] })).toThrow(/max must be a finite number above 0/);
    expect(() => renderStrip({ panels: [gray(new Float32Array(64))], scale: 1.5 })).toThrow(/scale must be a positive integer/);
    expect(() => renderStrip({ panels: [] })).toThrow(/panels is empty/);
    expect(() => renderPanel({ title: 'r', image: new Float32Array(3), height: 2, width: 2, kind: 'heat', max: 1 })).toThrow(/renderPanel: panels\[0\] \("r"\): image has 3 values/);
  });
});

describe('renderPanel: a gallery tile', () => {
  it('is the panel\'s image alone, in the strip\'s colours, pixel for pixel', () => {
    const residual = new Float32Array([0, 0.25, 0.5, 9]);
    const tile = decodeRgb(renderPanel({ title: 'residual', image: residual, height: 2, width: 2, kind: 'heat', max: 0.5 }));
    expect([tile.width, tile.height]).toEqual([2, 2]);
    expect([tile.pixel(0, 0), tile.pixel(1, 0), tile.pixel(0, 1), tile.pixel(1, 1)]).toEqual([inferno(0), inferno(0.5), inferno(1), inferno(1)].map((c) => [...c]));
  });
});
