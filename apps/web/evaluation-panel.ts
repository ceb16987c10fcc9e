import type { EvaluationRecord, TaskResult } from '../../shared/evaluation/evaluation-record.ts';
import { api } from './api.ts';
import { formatNumber, h, replace, statusBadge } from './dom.ts';
import { AXIS_STYLE, Chart, SERIES_COLOURS } from './echarts.ts';
import { zoomableImage } from './lightbox.ts';
import { histogramBins, parseScoresCsv, rocPoints, type ScoreRow } from './roc.ts';

/** An evaluation as `GET /api/v1/evaluations/:id` presents it (picture links absolute). */
export type EvaluationView = EvaluationRecord & { results: TaskResult[] | null; links: { results: string; scores: string } };

const METRIC_COLUMNS = ['auroc', 'auprc', 'fpr95', 'fpr99', 'pixel_auroc', 'pixel_auprc', 'best_dice'] as const;

/**
 * One evaluation of a run: its metrics table, ROC curves and score histograms per task
 * (drawn from scores.csv), and the anomaly-map strips, each large on click.
 */
export class EvaluationPanel {
  readonly element = h('section', { class: 'card evaluation' });
  private readonly charts: Chart[] = [];
  private shownStatus: string | null = null;

  constructor(private readonly evalId: string) {}

  /** Fetches the evaluation again; true once it is finished (nothing more to follow). */
  async refresh(): Promise<boolean> {
    const evaluation = await api<EvaluationView>(`/api/v1/evaluations/${encodeURIComponent(this.evalId)}`);
    const finished = evaluation.status === 'completed' || evaluation.status === 'failed';
    if (finished && this.shownStatus === evaluation.status) return true;
    this.shownStatus = evaluation.status;
    this.disposeCharts();
    const heading = h('h3', {}, `Evaluation ${evaluation.id} `, statusBadge(evaluation.status), h('span', { class: 'muted small' }, ` ${evaluation.checkpoint} checkpoint · ${evaluation.scored}/${evaluation.total} images scored`));
    if (evaluation.status !== 'completed' || evaluation.results === null) {
      replace(this.element, heading, evaluation.error === null ? null : h('p', { class: 'error' }, evaluation.error));
      return finished;
    }
    const scores = parseScoresCsv(await (await fetch(evaluation.links.scores, { credentials: 'same-origin' })).text());
    replace(this.element, heading, ...evaluation.results.map((task) => this.taskSection(task, scores.filter((row) => row.task === task.task))));
    return true;
  }

  dispose(): void {
    this.disposeCharts();
  }

  private disposeCharts(): void {
    for (const chart of this.charts.splice(0)) chart.dispose();
  }

  private taskSection(task: TaskResult, scores: ScoreRow[]): HTMLElement {
    const table = h(
      'table',
      { class: 'metrics' },
      h('thead', {}, h('tr', {}, h('th', {}, 'dataset'), ...METRIC_COLUMNS.map((metric) => h('th', {}, metric)))),
      h('tbody', {}, ...task.datasets.map((dataset) => h('tr', {}, h('td', {}, dataset.dataset), ...METRIC_COLUMNS.map((metric) => h('td', { 'data-metric': metric }, formatNumber(dataset[metric], 3)))))),
    );
    const quality = h('p', { class: 'muted small' }, `normal set ${task.normal_dataset}: L1 ${formatNumber(task.normal_l1)}, MSE ${formatNumber(task.normal_mse)}, SSIM ${formatNumber(task.normal_ssim, 3)}`);
    const rocBox = h('div', { class: 'chart square' });
    const histogramBox = h('div', { class: 'chart' });
    const strips = task.pictures.filter((picture) => !picture.endsWith('/roc.png') && !picture.endsWith('histogram.png'));
    const section = h(
      'div',
      { class: 'task' },
      h('h4', {}, `Task ${task.task}`),
      table,
      quality,
      h('div', { class: 'chart-row' }, h('figure', { class: 'chart-card' }, h('figcaption', {}, 'ROC'), rocBox), h('figure', { class: 'chart-card grow' }, h('figcaption', {}, 'anomaly scores'), histogramBox)),
      h('h4', {}, 'Anomaly maps'),
      h('p', { class: 'muted small' }, 'input | (prior) | reconstruction | residual (inferno, 0–0.5) | (deformation); click to enlarge'),
      h('div', { class: 'strips' }, ...strips.map((src) => zoomableImage(src, src.split('/').slice(-2).join('/'), 'strip'))),
    );
    const normal = scores.filter((row) => row.dataset === task.normal_dataset).map((row) => row.score);
    const pathological = task.datasets.map((dataset) => ({ name: dataset.dataset, auroc: dataset.auroc, scores: scores.filter((row) => row.dataset === dataset.dataset).map((row) => row.score) }));
    const roc = new Chart(rocBox);
    roc.show(rocOption(normal, pathological));
    const histogram = new Chart(histogramBox);
    histogram.show(histogramOption([{ name: task.normal_dataset, scores: normal }, ...pathological]));
    this.charts.push(roc, histogram);
    return section;
  }
}

function rocOption(normal: number[], pathological: { name: string; auroc: number; scores: number[] }[]) {
  return {
    animation: false,
    grid: { left: 48, right: 12, top: 30, bottom: 40 },
    legend: { top: 0, textStyle: { fontSize: 11 } },
    tooltip: { trigger: 'item' as const },
    xAxis: { type: 'value' as const, min: 0, max: 1, name: 'false positive rate', nameLocation: 'middle' as const, nameGap: 24, ...AXIS_STYLE },
    yAxis: { type: 'value' as const, min: 0, max: 1, name: 'true positive rate', nameLocation: 'middle' as const, nameGap: 32, ...AXIS_STYLE },
    series: [
      { name: 'chance', type: 'line' as const, data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: { type: 'dashed' as const, color: '#aaa', width: 1 }, itemStyle: { color: '#aaa' }, silent: true },
      ...pathological.map((set, i) => ({ name: `${set.name} (AUROC ${set.auroc.toFixed(3)})`, type: 'line' as const, step: 'end' as const, data: rocPoints(normal, set.scores), showSymbol: false, lineStyle: { width: 2, color: SERIES_COLOURS[i + 1] }, itemStyle: { color: SERIES_COLOURS[i + 1] } })),
    ],
  };
}

function histogramOption(sets: { name: string; scores: number[] }[]) {
  const { edges, counts } = histogramBins(sets.map((set) => set.scores), 24);
  return {
    animation: false,
    grid: { left: 40, right: 12, top: 30, bottom: 40 },
    legend: { top: 0, textStyle: { fontSize: 11 } },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'category' as const, data: edges.map((edge) => edge.toPrecision(3)), name: 'anomaly score (mean |x_rec − x|)', nameLocation: 'middle' as const, nameGap: 26, ...AXIS_STYLE },
    yAxis: { type: 'value' as const, minInterval: 1, name: 'images', ...AXIS_STYLE },
    series: sets.map((set, i) => ({ name: set.name, type: 'bar' as const, data: counts[i], barGap: '0%', itemStyle: { color: SERIES_COLOURS[i], opacity: 0.75 } })),
  };
}
