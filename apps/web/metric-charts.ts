import { h, replace } from './dom.ts';
import { AXIS_STYLE, Chart, SERIES_COLOURS } from './echarts.ts';
import { seriesOf, smooth, type EpochRecord } from './metric-series.ts';

/** The metrics of one run, under the label its curves get. */
export interface LabelledMetrics {
  label: string;
  records: EpochRecord[];
}

/**
 * One chart per series of metrics.jsonl (`train.loss`, `val.loss_mse`, `lr`, …), each with a
 * curve per run, under shared controls: log scale and smoothing. Charts are kept and
 * updated in place, so live updates do not flicker.
 */
export class MetricCharts {
  readonly element: HTMLElement;
  private readonly grid = h('div', { class: 'chart-grid' });
  private readonly charts = new Map<string, Chart>();
  private readonly logScale = h('input', { type: 'checkbox', checked: true, onchange: () => this.redraw() });
  private readonly smoothing = h('input', { type: 'range', min: 0, max: 0.95, step: 0.05, value: 0, oninput: () => this.redraw() });
  private readonly smoothingValue = h('span', { class: 'muted mono' }, '0');
  private runs: LabelledMetrics[] = [];

  constructor(private readonly only: (key: string) => boolean = () => true) {
    this.element = h(
      'section',
      { class: 'metric-charts' },
      h('div', { class: 'toolbar' }, h('label', {}, this.logScale, ' log scale'), h('label', {}, 'smoothing ', this.smoothing, ' ', this.smoothingValue)),
      this.grid,
    );
  }

  show(runs: LabelledMetrics[]): void {
    this.runs = runs;
    this.redraw();
  }

  dispose(): void {
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
  }

  private redraw(): void {
    const weight = Number(this.smoothing.value);
    this.smoothingValue.textContent = weight.toFixed(2);
    const perRun = this.runs.map((run) => ({ label: run.label, series: seriesOf(run.records) }));
    const keys = [...new Set(perRun.flatMap((run) => [...run.series.keys()]))].filter(this.only);
    if (keys.length === 0) {
      replace(this.grid, h('p', { class: 'muted' }, 'No epoch finished yet.'));
      this.dispose();
      return;
    }
    if ([...this.charts.keys()].some((key) => !keys.includes(key)) || this.grid.querySelector('p') !== null) {
      this.dispose();
      replace(this.grid);
    }
    for (const key of keys) {
      let chart = this.charts.get(key);
      if (chart === undefined) {
        const box = h('div', { class: 'chart', 'data-series': key });
        this.grid.appendChild(h('figure', { class: 'chart-card' }, h('figcaption', {}, key), box));
        chart = new Chart(box);
        this.charts.set(key, chart);
      }
      const lines = perRun.map((run, i) => ({ label: run.label, colour: SERIES_COLOURS[i % SERIES_COLOURS.length], points: run.series.get(key) ?? [] }));
      chart.show(lineOption(lines, weight, this.logScale.checked && lines.every((line) => line.points.every(([, y]) => y > 0))));
    }
  }
}

function lineOption(lines: { label: string; colour: string; points: [number, number][] }[], weight: number, log: boolean) {
  const series = lines.flatMap((line) => {
    const main = { name: line.label, type: 'line' as const, data: smooth(line.points, weight), showSymbol: line.points.length < 30, symbolSize: 4, lineStyle: { width: 2, color: line.colour }, itemStyle: { color: line.colour } };
    if (weight <= 0) return [main];
    const raw = { name: line.label, type: 'line' as const, data: line.points, showSymbol: false, lineStyle: { width: 1, color: line.colour, opacity: 0.25 }, itemStyle: { color: line.colour }, silent: true, tooltip: { show: false } };
    return [raw, main];
  });
  return {
    animation: false,
    grid: { left: 56, right: 16, top: lines.length > 1 ? 30 : 12, bottom: 30 },
    legend: lines.length > 1 ? { top: 0, type: 'scroll' as const, textStyle: { fontSize: 11 } } : undefined,
    tooltip: { trigger: 'axis' as const, valueFormatter: (value: unknown) => (typeof value === 'number' ? value.toPrecision(4) : String(value)) },
    xAxis: { type: 'value' as const, name: 'epoch', nameLocation: 'middle' as const, nameGap: 22, minInterval: 1, min: 1, ...AXIS_STYLE },
    yAxis: { type: log ? ('log' as const) : ('value' as const), scale: true, ...AXIS_STYLE },
    series,
  };
}
