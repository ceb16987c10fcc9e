import { scoreHistogramChart, type HistogramSeries } from '../charts/score-histogram-chart.ts';
import { renderChartPng } from './chart-png.ts';

/** Options of {@link renderHistogram}. */
export interface HistogramOptions {
  /** Overlaid in order: the first (normal set) blue, the second vermilion. */
  series: readonly HistogramSeries[];
  /** Number of equal-width bins spanning the smallest to the largest finite value of all series together. */
  bins: number;
  /** Picture width in pixels, at least 160. */
  width: number;
  /** Picture height in pixels, at least 120. */
  height: number;
  /** Text above the plot. */
  title: string;
}

/** The score histogram of the web page, as a PNG of exactly `width`×`height` pixels. */
export function renderHistogram(options: HistogramOptions): Uint8Array {
  return renderChartPng(scoreHistogramChart(options.series, options.bins, options.title), options.width, options.height);
}
