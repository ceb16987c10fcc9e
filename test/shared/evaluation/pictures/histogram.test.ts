import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { SERIES_COLOURS } from '../../../../shared/evaluation/charts/chart-style.ts';
import { histogramCounts } from '../../../../shared/evaluation/charts/score-histogram-chart.ts';
import { renderHistogram, type HistogramOptions } from '../../../../shared/evaluation/pictures/histogram.ts';
import { pixelsNear, tinted } from './pixel-colours.ts';

// Range 0–5 in five unit bins holding 1, 2, 4, 0 and 3 values (5 falls in the last bin).
const values = [0, 1.5, 1.5, 2.5, 2.5, 2.5, 2.5, 4.5, 4.5, 5];

describe('histogramCounts', () => {
  it('bins the pooled range of finite values, the largest into the last bin, and counts the rest as non-finite', () => {
    const counts = histogramCounts([{ label: 'a', values }, { label: 'b', values: [3.2, Number.NaN, Infinity] }], 5);
    expect(counts.edges).toEqual([0, 1, 2, 3, 4, 5]);
    expect(counts.counts).toEqual([[1, 2, 4, 0, 3], [0, 0, 0, 1, 0]]);
    expect(counts.nonFinite).toEqual([0, 2]);
  });

  it('puts a single distinct value in a window around it', () => {
    expect(histogramCounts([{ label: 'a', values: [2, 2] }], 2)).toEqual({ edges: [1, 2, 3], counts: [[0, 2]], nonFinite: [0] });
  });
});

describe('renderHistogram: the web page\'s chart as a PNG', () => {
  const options: HistogramOptions = { series: [{ label: 'normal', values }], bins: 5, width: 480, height: 320, title: 'scores' };

  it('is a PNG of the requested size', () => {
    const png = decode(renderHistogram({ ...options, width: 640, height: 400 }));
    expect([png.width, png.height]).toEqual([640, 400]);
  });

  it('draws each series\' bars in its own colour, the normal set blue and the next vermilion', () => {
    const one = renderHistogram(options);
    const two = renderHistogram({ ...options, series: [{ label: 'normal', values: [0, 1] }, { label: 'opacity', values: [4, 5, 5] }] });
    const blue = tinted(SERIES_COLOURS[0], 0.45);
    const vermilion = tinted(SERIES_COLOURS[1], 0.45);
    expect(pixelsNear(one, blue)).toBeGreaterThan(500);
    expect(pixelsNear(one, vermilion)).toBe(0);
    expect(pixelsNear(two, vermilion)).toBeGreaterThan(500);
  });

  it('names the bad option', () => {
    expect(() => renderHistogram({ ...options, bins: 0 })).toThrow(/bins must be a positive integer, got 0/);
    expect(() => renderHistogram({ ...options, width: 100 })).toThrow(/width must be an integer ≥ 160/);
  });
});
