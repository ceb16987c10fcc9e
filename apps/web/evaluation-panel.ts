import type { EvaluationRecord, TaskResult } from '../../shared/evaluation/evaluation-record.ts';
import { api } from './api.ts';
import { formatNumber, h, replace, statusBadge } from './dom.ts';
import { rocChart } from '../../shared/evaluation/charts/roc-chart.ts';
import { scoreHistogramChart } from '../../shared/evaluation/charts/score-histogram-chart.ts';
import { rocCurve } from '../../shared/evaluation/metrics/roc-curve.ts';
import { Chart } from './echarts.ts';
import { zoomableImage } from './lightbox.ts';
import { parseScoresCsv, type ScoreRow } from './scores-csv.ts';

/** An evaluation as `GET /api/v1/evaluations/:id` presents it (picture links absolute). */
export type EvaluationView = EvaluationRecord & { results: TaskResult[] | null; links: { results: string; scores: string } };

/** As many bins as the evaluation's histogram PNG. */
const HISTOGRAM_BINS = 30;

const METRIC_COLUMNS = ['auroc', 'auprc', 'fpr95', 'fpr99', 'pixel_auroc', 'pixel_auprc', 'best_dice'] as const;

/**
 * One evaluation of a run: its metrics table, ROC curves and score histograms per task
 * (drawn from scores.csv), and the anomaly-map strips, each large on click. The strips are
 * the evaluation's PNG files themselves, drawn on the server from their chart definition, so
 * page and files show the same pixels.
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
    const scoresOf = (dataset: string) => scores.filter((row) => row.dataset === dataset).map((row) => row.score);
    const normal = scoresOf(task.normal_dataset);
    const curves = task.datasets.map((dataset) => {
      const sick = scoresOf(dataset.dataset);
      return { label: dataset.dataset, auroc: dataset.auroc, ...rocCurve([...normal, ...sick], [...normal.map(() => 0), ...sick.map(() => 1)]) };
    });
    // The same chart definitions as the evaluation's PNGs, so page and files agree.
    const roc = new Chart(rocBox);
    roc.show(rocChart(curves));
    const histogram = new Chart(histogramBox);
    histogram.show(scoreHistogramChart([{ label: task.normal_dataset, values: normal }, ...task.datasets.map((dataset) => ({ label: dataset.dataset, values: scoresOf(dataset.dataset) }))], HISTOGRAM_BINS));
    this.charts.push(roc, histogram);
    return section;
  }
}
