import { AXIS_STYLE, CHART_FONT, seriesColour } from './chart-style.ts';

export interface HistogramSeries {
  /** Legend text, e.g. the dataset name. */
  label: string;
  /** One value per item (e.g. an image's anomaly score); non-finite values are left out and counted in the legend. */
  values: readonly number[];
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

/** Equal-width bins over the pooled range of the finite values of every series, so bars compare. */
export function histogramCounts(series: readonly HistogramSeries[], bins: number): HistogramCounts {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`score histogram: bins must be a positive integer, got ${bins}`);
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

/**
 * The score histogram as an ECharts option: overlaid translucent bars per series (normal
 * set against each pathology), counts from 0, each series' size in the legend. The web
 * page and the evaluation's PNG are drawn from this one definition.
 */
export function scoreHistogramChart(series: readonly HistogramSeries[], bins: number, title?: string) {
  const { edges, counts, nonFinite } = histogramCounts(series, bins);
  const centres = counts[0]?.map((_, b) => (edges[b] + edges[b + 1]) / 2) ?? [];
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT },
    title: title === undefined ? undefined : { text: title, left: 'center', top: 4, textStyle: { fontSize: 14, fontFamily: CHART_FONT } },
    grid: { left: 48, right: 16, top: title === undefined ? 34 : 56, bottom: 44 },
    legend: { top: title === undefined ? 4 : 28, textStyle: { fontSize: 11, fontFamily: CHART_FONT } },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'category' as const, data: centres.map((centre) => centre.toPrecision(3)), name: 'anomaly score (mean |x_rec − x|)', nameLocation: 'middle' as const, nameGap: 28, ...AXIS_STYLE },
    yAxis: { type: 'value' as const, minInterval: 1, name: 'images', ...AXIS_STYLE },
    series: series.map((s, i) => {
      const shown = s.values.length - nonFinite[i];
      const dropped = nonFinite[i] > 0 ? `, ${nonFinite[i]} not finite` : '';
      return { name: `${s.label} (n=${shown}${dropped})`, type: 'bar' as const, data: counts[i], barGap: '-100%', barCategoryGap: '0%', itemStyle: { color: seriesColour(i), opacity: 0.45, borderColor: seriesColour(i), borderWidth: 1 } };
    }),
  };
}
