import { describe, expect, it } from 'vitest';
import { histogramCounts, histogramFrame, renderHistogram, type HistogramOptions } from '../../../../shared/evaluation/pictures/histogram.ts';
import { seriesColour } from '../../../../shared/evaluation/pictures/series-colours.ts';
import { decodeRgb } from './decode-rgb.ts';

// Range 0–5 in five unit bins holding 1, 2, 4, 0 and 3 values (5 falls in the last bin).
const values = [0, 1.5, 1.5, 2.5, 2.5, 2.5, 2.5, 4.5, 4.5, 5];

describe('histogramCounts', () => {
  it('bins the pooled range of finite values, the largest into the last bin, and counts the rest as non-finite', () => {
    const counts = histogramCounts({ series: [{ label: 'a', values }, { label: 'b', values: [3.2, Number.NaN, Infinity] }], bins: 5 });
    expect(counts.edges).toEqual([0, 1, 2, 3, 4, 5]);
    expect(counts.counts).toEqual([[1, 2, 4, 0, 3], [0, 0, 0, 1, 0]]);
    expect(counts.nonFinite).toEqual([0, 2]);
  });
});

describe('renderHistogram', () => {
  const options: HistogramOptions = { series: [{ label: 'normal', values }], bins: 5, width: 320, height: 200, title: 'scores' };

  it('is an RGB 8-bit PNG of the requested size', () => {
    const png = decodeRgb(renderHistogram({ ...options, width: 640, height: 400 }));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([640, 400, 3, 8]);
  });

  it('draws bars whose heights are proportional to the counts', () => {
    const png = decodeRgb(renderHistogram(options));
    const frame = histogramFrame(options);
    // Bar pixels are tinted towards the series' blue; background and grid lines are grey.
    const [r, , b] = seriesColour(0);
    const isBar = (x: number, y: number) => {
      const p = png.pixel(x, y);
      return p[2] - p[0] > (b - r) / 4;
    };
    const heights = [0, 1, 2, 3, 4].map((bin) => {
      const x = Math.round(frame.xToPixel(bin + 0.5));
      let y = frame.bottom - 1;
      while (isBar(x, y)) y -= 1;
      return frame.bottom - 1 - y;
    });
    const unit = frame.yToPixel(0) - frame.yToPixel(1);
    expect(heights[3]).toBe(0);
    [1, 2, 4, 0, 3].forEach((count, bin) => expect(Math.abs(heights[bin] - count * unit)).toBeLessThanOrEqual(2));
    expect(heights[2] / heights[0]).toBeCloseTo(4, 0);
  });

  it('colours a second series differently', () => {
    const png = decodeRgb(renderHistogram({ ...options, series: [{ label: 'normal', values: [0, 1] }, { label: 'pathological', values: [4, 5, 5] }] }));
    const frame = histogramFrame({ ...options, series: [{ label: 'normal', values: [0, 1] }, { label: 'pathological', values: [4, 5, 5] }] });
    const [r, g, b] = png.pixel(Math.round(frame.xToPixel(4.5)), frame.bottom - 3);
    expect(r).toBeGreaterThan(b);
    expect(r).toBeGreaterThan(g);
  });

  it('names the bad option', () => {
    expect(() => renderHistogram({ ...options, bins: 0 })).toThrow(/bins must be a positive integer, got 0/);
    expect(() => renderHistogram({ ...options, width: 100 })).toThrow(/width must be an integer ≥ 160 pixels, got 100/);
  });
});
