import { rocChart, type RocCurveSeries } from '../charts/roc-chart.ts';
import { renderChartPng } from './chart-png.ts';

/** Options of {@link renderRocCurve}. */
export interface RocCurveOptions {
  /** Drawn in order. May be empty (then only the axes and the chance line). */
  curves: readonly RocCurveSeries[];
  /** Picture width in pixels, at least 160. */
  width: number;
  /** Picture height in pixels, at least 120. */
  height: number;
  /** Text above the plot. Default `'ROC'`. */
  title?: string;
}

/** The ROC chart of the web page, as a PNG of exactly `width`×`height` pixels. */
export function renderRocCurve(options: RocCurveOptions): Uint8Array {
  return renderChartPng(rocChart(options.curves, options.title ?? 'ROC'), options.width, options.height);
}
