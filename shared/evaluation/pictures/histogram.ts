import { Legend } from './legend.ts';
import { niceTicks } from './nice-ticks.ts';
import { checkPictureSize, PlotFrame, plotTextScale } from './plot-frame.ts';
import { Raster } from './raster.ts';
import { seriesColour } from './series-colours.ts';
import { drawPolyline } from './draw-line.ts';

export interface HistogramSeries {
  /** Legend text, e.g. the dataset name. */
  label: string;
  /** One value per item (e.g. an image's anomaly score); non-finite values are left out and counted in the legend. */
  values: readonly number[];
}

/** Options of {@link renderHistogram}. */
export interface HistogramOptions {
  /** Overlaid in order, coloured by {@link seriesColour}: the first (normal set) blue, the second vermilion. */
  series: readonly HistogramSeries[];
  /** Number of equal-width bins spanning the smallest to the largest finite value of all series together. */
  bins: number;
  /** Picture width in pixels, at least 160. */
  width: number;
  /** Picture height in pixels, at least 120. */
  height: number;
  /** Text above the plot. */
  title: string;
  /** x-axis title. Default `'anomaly score'`. */
  xLabel?: string;
  /** y-axis title. Default `'images'`. */
  yLabel?: string;
}

/** Where the bins lie and how many values of each series fall into each. */
export interface HistogramCounts {
  /** `bins + 1` ascending bin edges; the last bin includes its right edge. */
  edges: number[];
  /** Per series, per bin. */
  counts: number[][];
  /** Per series, the values left out because they were NaN or infinite. */
  nonFinite: number[];
}

const BAR_OPACITY = 0.35;

/** The binning that {@link renderHistogram} draws. */
export function histogramCounts(options: Pick<HistogramOptions, 'series' | 'bins'>): HistogramCounts {
  const { series, bins } = options;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`renderHistogram: bins must be a positive integer, got ${bins}`);
  // A loop, not Math.min(...values): tens of thousands of arguments overflow the stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo > hi) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) {
    // One distinct value: a window around it, so the single bar has a readable position.
    const half = Math.abs(lo) > 0 ? Math.abs(lo) * 0.5 : 0.5;
    lo -= half;
    hi += half;
  }
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + ((hi - lo) * k) / bins);
  const counts = series.map((s) => {
    const perBin = new Array<number>(bins).fill(0);
    for (const v of s.values) {
      if (Number.isFinite(v)) perBin[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))] += 1;
    }
    return perBin;
  });
  return { edges, counts, nonFinite: series.map((s) => s.values.filter((v) => !Number.isFinite(v)).length) };
}

/** The plot area and axes of {@link renderHistogram} for these options. */
export function histogramFrame(options: HistogramOptions): PlotFrame {
  return layout(options, histogramCounts(options)).frame;
}

/**
 * Overlaid histograms of scores, e.g. normal against pathological images: translucent
 * bars with a solid outline per series, so overlaps stay visible; bar heights are counts
 * (y from 0). A legend under the title gives each series' size. Returns an RGB 8-bit PNG
 * of exactly `width`×`height` pixels.
 */
export function renderHistogram(options: HistogramOptions): Uint8Array {
  checkPictureSize('renderHistogram', options.width, options.height);
  const counts = histogramCounts(options);
  const { frame, legend } = layout(options, counts);
  const raster = new Raster(options.width, options.height);
  frame.drawBackground(raster);
  legend.draw(raster, Math.round((options.width - legend.width) / 2), frame.headerTop);
  const baseline = frame.bottom;
  counts.counts.forEach((perBin, s) => {
    const colour = seriesColour(s);
    perBin.forEach((count, b) => {
      if (count === 0) return;
      const x0 = Math.round(frame.xToPixel(counts.edges[b]));
      const x1 = Math.round(frame.xToPixel(counts.edges[b + 1]));
      const top = Math.round(frame.yToPixel(count));
      raster.fillRect(x0, top, x1 - x0, baseline - top, colour, BAR_OPACITY);
    });
    const xs: number[] = [frame.xToPixel(counts.edges[0])];
    const ys: number[] = [baseline];
    perBin.forEach((count, b) => {
      const top = frame.yToPixel(count);
      xs.push(frame.xToPixel(counts.edges[b]), frame.xToPixel(counts.edges[b + 1]));
      ys.push(top, top);
    });
    xs.push(frame.xToPixel(counts.edges[counts.edges.length - 1]));
    ys.push(baseline);
    drawPolyline(raster, xs, ys, colour, { thickness: 2 });
  });
  frame.drawAxes(raster);
  return raster.toPng();
}

function layout(options: HistogramOptions, counts: HistogramCounts): { frame: PlotFrame; legend: Legend } {
  const scale = plotTextScale(options.width, options.height);
  const legend = new Legend(
    options.series.map((s, i) => {
      const shown = s.values.length - counts.nonFinite[i];
      const dropped = counts.nonFinite[i] > 0 ? `, ${counts.nonFinite[i]} not finite` : '';
      return { label: `${s.label} (n=${shown}${dropped})`, colour: seriesColour(i) };
    }),
    { scale, swatch: 'box', layout: 'row', maxWidth: options.width - 20 },
  );
  const tallest = counts.counts.reduce((most, perBin) => perBin.reduce((m, c) => Math.max(m, c), most), 1);
  const lo = counts.edges[0];
  const hi = counts.edges[counts.edges.length - 1];
  const frame = new PlotFrame({
    width: options.width,
    height: options.height,
    title: options.title,
    headerHeight: legend.height + 6,
    x: { lo, hi, ticks: niceTicks(lo, hi, 6), label: options.xLabel ?? 'anomaly score' },
    // Counts are whole numbers; a little headroom keeps the tallest bar off the frame's top.
    y: { lo: 0, hi: tallest * 1.05, ticks: niceTicks(0, tallest, 5).filter(Number.isInteger), label: options.yLabel ?? 'images' },
  });
  return { frame, legend };
}
