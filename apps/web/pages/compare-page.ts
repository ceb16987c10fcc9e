import type { ComparisonTable } from '../../../shared/evaluation/compare-runs.ts';
import type { ImageSample } from '../../../shared/evaluation/evaluation-record.ts';
import type { SweepRecord } from '../../../shared/sweep/sweep-record.ts';
import { api, ApiError } from '../api.ts';
import { h, link, replace } from '../dom.ts';
import type { EvaluationView } from '../evaluation-panel.ts';
import { zoomableImage } from '../lightbox.ts';
import { MetricCharts } from '../metric-charts.ts';
import type { EpochRecord } from '../metric-series.ts';
import type { Page, PageContext } from '../page.ts';
import { evaluationIdsOf, type RunRow, type RunView } from '../run-view.ts';
import type { SweepView } from '../sweep-view.ts';

const METRICS = ['auroc', 'auprc', 'fpr95', 'fpr99'];

/** A chosen run with what the gallery needs: its newest completed evaluation. */
interface ComparedRun {
  run: RunView;
  evaluation: EvaluationView | null;
}

/**
 * Runs side by side: choose runs (or a sweep's trials); the methods table (mean ± std over
 * seeds), the curves overlaid, and the gallery: the same test images as rows, a column
 * per run with its reconstruction and residual on the one residual colour scale.
 */
export function comparePage(root: HTMLElement, context: PageContext): Page {
  const params = new URLSearchParams(location.search);
  const chosen = (params.get('runs') ?? '').split(',').filter((id) => id.length > 0);
  const sweepId = params.get('sweep');
  const charts = new MetricCharts((key) => key.startsWith('train.') || key.startsWith('val.'));
  const picker = h('section', { class: 'card picker' });
  const results = h('div', { class: 'compare-results' });
  replace(root, h('h1', {}, 'Compare'), picker, results);
  void showPicker(picker, chosen, sweepId, context);
  if (chosen.length > 0 || sweepId !== null) void showComparison(results, chosen, sweepId, charts);
  return { dispose: () => charts.dispose() };
}

async function showPicker(picker: HTMLElement, chosen: string[], sweepId: string | null, context: PageContext): Promise<void> {
  const selected = new Set(chosen);
  const list = h('div', { class: 'pick-list' });
  const filter = h('input', { type: 'search', placeholder: 'filter by name or id', 'aria-label': 'filter runs', oninput: () => void load() });
  const sweepSelect = h('select', { 'aria-label': 'sweep' }, h('option', { value: '' }, 'choose a sweep…'));
  async function load(): Promise<void> {
    const query = new URLSearchParams({ status: 'completed', sort: 'createdAt', order: 'desc', limit: '200' });
    if (filter.value.trim() !== '') query.set('q', filter.value.trim());
    const { runs } = await api<{ runs: RunRow[] }>(`/api/v1/runs?${query}`);
    replace(list, ...runs.map((run) => h('label', { class: 'pick' }, h('input', { type: 'checkbox', value: run.id, checked: selected.has(run.id), onchange: (event) => toggle(run.id, (event.target as HTMLInputElement).checked) }), ` ${run.name} `, h('span', { class: 'muted mono small' }, run.id), run.latestAuroc === null ? h('span', { class: 'muted small' }, ' (not evaluated)') : h('span', { class: 'small' }, ` AUROC ${run.latestAuroc.value.toFixed(3)}`))));
  }
  function toggle(id: string, on: boolean): void {
    if (on) selected.add(id);
    else selected.delete(id);
  }
  const { sweeps } = await api<{ sweeps: SweepRecord[] }>('/api/v1/sweeps');
  for (const sweep of sweeps) sweepSelect.appendChild(h('option', { value: sweep.id, selected: sweep.id === sweepId }, `${sweep.name} (${sweep.id})`));
  replace(
    picker,
    h('div', { class: 'toolbar' }, filter, h('button', { class: 'primary', onclick: () => context.navigate(`/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`) }, 'Compare selected runs'), h('span', { class: 'muted' }, 'or'), sweepSelect, h('button', { onclick: () => sweepSelect.value !== '' && context.navigate(`/compare?sweep=${encodeURIComponent(sweepSelect.value)}`) }, 'Compare sweep')),
    list,
  );
  await load();
}

async function showComparison(results: HTMLElement, chosen: string[], sweepId: string | null, charts: MetricCharts): Promise<void> {
  try {
    const runIds = sweepId === null ? chosen : (await api<SweepView>(`/api/v1/sweeps/${encodeURIComponent(sweepId)}`)).trials.map((trial) => trial.runId);
    const compared = await Promise.all(runIds.map(comparedRun));
    const table = h('section', { class: 'card' });
    const metric = h('select', { 'aria-label': 'metric', onchange: () => void showTable(table, runIds, metric.value) }, ...METRICS.map((name) => h('option', { value: name }, name.toUpperCase())));
    replace(
      results,
      h('div', { class: 'title-row' }, h('h2', {}, `Methods (${runIds.length} runs)`), metric),
      table,
      h('h2', {}, 'Curves'),
      charts.element,
      h('h2', {}, 'Gallery'),
      h('p', { class: 'muted small' }, 'The same test images in every row; per run its reconstruction and residual |x_rec − x| (inferno, 0 black to 0.5 and above pale yellow, the same scale everywhere). Click to enlarge.'),
      gallery(compared),
    );
    await showTable(table, runIds, metric.value);
    const metrics = await Promise.all(compared.map(async ({ run }) => ({ label: `${run.name} ${run.id.slice(-6)}`, records: (await api<{ epochs: EpochRecord[] }>(`/api/v1/runs/${encodeURIComponent(run.id)}/metrics`)).epochs })));
    charts.show(metrics);
  } catch (error) {
    replace(results, h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
  }
}

async function comparedRun(runId: string): Promise<ComparedRun> {
  const run = await api<RunView>(`/api/v1/runs/${encodeURIComponent(runId)}`);
  const evaluations = await Promise.all(evaluationIdsOf(run).map((id) => api<EvaluationView>(`/api/v1/evaluations/${encodeURIComponent(id)}`)));
  const completed = evaluations.filter((evaluation) => evaluation.status === 'completed').sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''));
  return { run, evaluation: completed[0] ?? null };
}

async function showTable(section: HTMLElement, runIds: string[], metric: string): Promise<void> {
  try {
    const table = await api<ComparisonTable>(`/api/v1/compare?runs=${runIds.map(encodeURIComponent).join(',')}&metric=${metric}`);
    replace(
      section,
      h('table', { class: 'metrics compare' },
        h('thead', {}, h('tr', {}, h('th', {}, 'method'), h('th', {}, 'runs'), ...table.columns.map((column) => h('th', {}, column)))),
        h('tbody', {}, ...table.rows.map((row) => h('tr', {}, h('td', {}, row.method), h('td', {}, ...row.runs.flatMap((id, i) => [i > 0 ? ', ' : '', link(`/runs/${encodeURIComponent(id)}`, id.slice(-6))])), ...table.columns.map((column) => {
          const cell = row.cells[column];
          return h('td', { class: 'mono' }, cell === undefined ? '–' : cell.n > 1 ? `${cell.mean.toFixed(3)} ± ${cell.std.toFixed(3)}` : cell.mean.toFixed(3));
        })))),
      ),
      h('p', { class: 'muted small' }, `${metric.toUpperCase()}: mean ± sample std over the runs of a method (runs whose configs differ only in seed).`),
    );
  } catch (error) {
    replace(section, h('p', { class: 'error' }, error instanceof ApiError ? error.message : String(error)));
  }
}

/** Rows: every sample image any run has (task, dataset, index); columns: the input, then one per run. */
function gallery(compared: ComparedRun[]): HTMLElement {
  const base = (run: RunView, evaluation: EvaluationView) => `/api/v1/runs/${encodeURIComponent(run.id)}/artifacts/eval/${encodeURIComponent(evaluation.id)}/`;
  const samplesOf = (entry: ComparedRun) => new Map((entry.evaluation?.results ?? []).flatMap((task) => (task.samples ?? []).map((sample) => [`${task.task}/${sample.dataset}/${sample.index}`, sample] as [string, ImageSample])));
  const perRun = compared.map((entry) => ({ entry, samples: samplesOf(entry) }));
  const rowKeys = [...new Set(perRun.flatMap(({ samples }) => [...samples.keys()]))].sort(byNormalFirst);
  if (rowKeys.length === 0) return h('p', { class: 'muted' }, 'None of these runs has an evaluation with sample images yet.');
  const header = h('tr', {}, h('th', {}, 'test image'), ...perRun.map(({ entry }) => h('th', { class: 'gallery-run' }, link(`/runs/${encodeURIComponent(entry.run.id)}`, entry.run.name), h('div', { class: 'muted small mono' }, entry.run.id), h('div', { class: 'muted small' }, 'reconstruction · residual'))));
  const rows = rowKeys.map((key) => {
    const [task, dataset, index] = key.split('/');
    const first = perRun.find(({ samples }) => samples.has(key))!;
    const sample = first.samples.get(key)!;
    const inputCell = h('td', { class: 'gallery-input' }, zoomableImage(base(first.entry.run, first.entry.evaluation!) + sample.input, `${dataset} #${index}: input`, 'tile'), h('div', { class: 'small muted' }, `${dataset} #${index}`), h('div', { class: 'small muted' }, task));
    const cells = perRun.map(({ entry, samples }) => {
      const own = samples.get(key);
      if (own === undefined || entry.evaluation === null) return h('td', { class: 'muted small' }, 'not evaluated');
      const at = base(entry.run, entry.evaluation);
      return h('td', { class: 'gallery-cell' }, h('div', { class: 'pair' }, zoomableImage(at + own.reconstruction, `${entry.run.name}: reconstruction of ${dataset} #${index}`, 'tile'), zoomableImage(at + own.residual, `${entry.run.name}: residual of ${dataset} #${index}`, 'tile')), h('div', { class: 'small mono' }, `score ${own.score.toFixed(4)}`));
    });
    return h('tr', {}, inputCell, ...cells);
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'gallery' }, h('thead', {}, header), h('tbody', {}, ...rows)));
}

/** Normal images first, then each pathology, each in test-split order. */
function byNormalFirst(a: string, b: string): number {
  const [taskA, dataA, indexA] = a.split('/');
  const [taskB, dataB, indexB] = b.split('/');
  const normal = (name: string) => (name.includes('Normal') ? 0 : 1);
  return taskA.localeCompare(taskB) || normal(dataA) - normal(dataB) || dataA.localeCompare(dataB) || Number(indexA) - Number(indexB);
}
