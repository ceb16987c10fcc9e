import { AXIS_STYLE, CHART_FONT, seriesColour } from './chart-style.ts';

export interface RocCurveSeries {
  /** Legend text, e.g. the pathological dataset's name. */
  label: string;
  /** False-positive rates in [0, 1], one per point, in drawing order. */
  fpr: readonly number[];
  /** True-positive rates in [0, 1], as many as `fpr`. */
  tpr: readonly number[];
  /** Area under the curve, shown in the legend with three decimals. */
  auroc: number;
}

/**
 * ROC curves as an ECharts option: one line per pathological set (coloured from the second
 * series colour on, the first being the normal set's) and the chance diagonal. The web page
 * and the evaluation's PNG are drawn from this one definition.
 */
export function rocChart(curves: readonly RocCurveSeries[], title?: string) {
  curves.forEach(checkCurve);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT },
    title: title === undefined ? undefined : { text: title, left: 'center', top: 4, textStyle: { fontSize: 14, fontFamily: CHART_FONT } },
    grid: { left: 52, right: 16, top: title === undefined ? 34 + 16 * Math.max(0, curves.length - 2) : 56 + 16 * Math.max(0, curves.length - 2), bottom: 44 },
    legend: { top: title === undefined ? 4 : 28, itemGap: 16, textStyle: { fontSize: 11, fontFamily: CHART_FONT } },
    tooltip: { trigger: 'item' as const },
    xAxis: { type: 'value' as const, min: 0, max: 1, name: 'false positive rate', nameLocation: 'middle' as const, nameGap: 26, ...AXIS_STYLE },
    yAxis: { type: 'value' as const, min: 0, max: 1, name: 'true positive rate', nameLocation: 'middle' as const, nameGap: 34, ...AXIS_STYLE },
    series: [
      { name: 'chance', type: 'line' as const, data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: { type: 'dashed' as const, color: '#8c8c8c', width: 1 }, itemStyle: { color: '#8c8c8c' }, silent: true },
      ...curves.map((curve, i) => ({
        name: `${curve.label} (AUROC ${curve.auroc.toFixed(3)})`,
        type: 'line' as const,
        data: curve.fpr.map((x, k) => [x, curve.tpr[k]]),
        showSymbol: false,
        lineStyle: { width: 2, color: seriesColour(i + 1) },
        itemStyle: { color: seriesColour(i + 1) },
      })),
    ],
  };
}

/** A curve that cannot be drawn is refused naming it and the field, not drawn wrong. */
function checkCurve(curve: RocCurveSeries, index: number): void {
  const name = `curves[${index}] (${JSON.stringify(curve.label)})`;
  if (curve.fpr.length !== curve.tpr.length) throw new Error(`ROC chart: ${name}: fpr has ${curve.fpr.length} values but tpr has ${curve.tpr.length}`);
  for (const field of ['fpr', 'tpr'] as const) {
    const bad = curve[field].findIndex((rate) => !(rate >= 0 && rate <= 1));
    if (bad !== -1) throw new Error(`ROC chart: ${name}: ${field}[${bad}] = ${curve[field][bad]} is not a rate in [0, 1]`);
  }
  if (!Number.isFinite(curve.auroc)) throw new Error(`ROC chart: ${name}: auroc must be a finite number, got ${curve.auroc}`);
}
