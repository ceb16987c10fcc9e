import { api, ApiError } from '../api.ts';
import { formatNumber, formatSeconds, formatTime, h, link, replace, statusBadge } from '../dom.ts';
import { Poller, type Page, type PageContext } from '../page.ts';
import { fractionDone, isActive, liveProgress, type RunRow } from '../run-view.ts';
import { durationOf } from '../../../shared/runs/run-duration.ts';
import { submitPanel } from './submit-panel.ts';

const PAGE_SIZE = 50;
const POLL_MS = 2000;

interface ListAnswer {
  runs: RunRow[];
  total: number;
  offset: number;
  limit: number;
  models: string[];
}

/** Column header, the sort key it orders by (when sortable), and how a row shows it. */
const COLUMNS: { title: string; sort?: string; cell: (run: RunRow, context: PageContext, refresh: () => void) => Node | string }[] = [
  { title: 'Status', sort: 'status', cell: (run) => h('div', {}, statusBadge(run.status), run.waitingFor ? h('div', { class: 'muted small', 'data-waiting-for': '' }, `waiting for ${run.waitingFor}`) : null) },
  { title: 'Name', sort: 'name', cell: (run) => h('div', {}, link(`/runs/${encodeURIComponent(run.id)}`, run.name), h('div', { class: 'muted small mono' }, run.id)) },
  { title: 'Model', sort: 'model', cell: (run) => run.model },
  { title: 'Dataset', cell: (run) => run.dataset ?? '–' },
  { title: 'Epoch', sort: 'epoch', cell: (run) => progressCell(run) },
  { title: 'Best val.', sort: 'best', cell: (run) => (run.best === null ? '–' : h('span', { title: `${run.best.metric} at epoch ${run.best.epoch + 1}` }, formatNumber(run.best.value))) },
  { title: 'AUROC', cell: (run) => (run.latestAuroc === null ? '–' : h('span', { title: `${run.latestAuroc.task}/${run.latestAuroc.dataset}` }, run.latestAuroc.value.toFixed(3))) },
  { title: 'Submitter', cell: (run) => run.submittedBy ?? '–' },
  { title: 'Worker', cell: (run) => (run.worker === null ? '–' : `${run.worker.host}`) },
  { title: 'Backend', cell: (run) => run.worker?.backend ?? '–' },
  { title: 'Started', sort: 'startedAt', cell: (run) => formatTime(run.startedAt) },
  { title: 'Duration', sort: 'duration', cell: (run) => formatSeconds(durationOf(run)) },
  { title: '', cell: (run, context, refresh) => (context.session.role === 'write' && isActive(run) ? cancelButton(run, refresh) : '') },
];

/** All runs: sortable, filterable, paged, kept live by polling the listing. */
export function runsPage(root: HTMLElement, context: PageContext): Page {
  return new RunsPage(root, context);
}

class RunsPage implements Page {
  private readonly state = { status: '', model: '', text: '', sort: 'createdAt', order: 'desc' as 'asc' | 'desc', offset: 0 };
  private readonly statusSelect: HTMLSelectElement;
  private readonly modelSelect: HTMLSelectElement;
  private readonly search: HTMLInputElement;
  private readonly table = h('table', { class: 'runs' });
  private readonly pager = h('div', { class: 'pager' });
  private readonly errorLine = h('p', { class: 'error', role: 'alert' });
  private readonly poller: Poller;

  constructor(
    root: HTMLElement,
    private readonly context: PageContext,
  ) {
    this.statusSelect = h('select', { 'aria-label': 'status', onchange: () => this.change({ status: this.statusSelect.value }) }, ...['', 'queued', 'running', 'completed', 'failed', 'cancelled'].map((s) => h('option', { value: s }, s === '' ? 'any status' : s)));
    this.modelSelect = h('select', { 'aria-label': 'model', onchange: () => this.change({ model: this.modelSelect.value }) }, h('option', { value: '' }, 'any model'));
    this.search = h('input', { type: 'search', placeholder: 'name or id', 'aria-label': 'search', oninput: () => this.change({ text: this.search.value }) });
    this.poller = new Poller(() => this.load(), POLL_MS, (error) => (this.errorLine.textContent = `Live update failed: ${String(error)}`));
    const submit = context.session.role === 'write' ? submitPanel((id) => context.navigate(`/runs/${encodeURIComponent(id)}`)) : null;
    replace(
      root,
      h('div', { class: 'title-row' }, h('h1', {}, 'Runs'), submit?.toggle),
      submit?.panel,
      h('div', { class: 'toolbar' }, this.statusSelect, this.modelSelect, this.search),
      this.errorLine,
      h('div', { class: 'table-wrap' }, this.table),
      this.pager,
    );
    this.poller.start();
  }

  dispose(): void {
    this.poller.stop();
  }

  /** A new filter or sort starts at the first page; paging keeps the rest. */
  private change(patch: Partial<RunsPage['state']>): void {
    Object.assign(this.state, patch, 'offset' in patch ? {} : { offset: 0 });
    this.poller.now();
  }

  private async load(): Promise<void> {
    const { state } = this;
    const query = new URLSearchParams({ sort: state.sort, order: state.order, offset: String(state.offset), limit: String(PAGE_SIZE) });
    if (state.status !== '') query.set('status', state.status);
    if (state.model !== '') query.set('model', state.model);
    if (state.text.trim() !== '') query.set('q', state.text.trim());
    const answer = await api<ListAnswer>(`/api/v1/runs?${query}`);
    this.errorLine.textContent = '';
    this.showModels(answer.models);
    this.showTable(answer);
    this.showPager(answer);
  }

  private showModels(models: string[]): void {
    const known = [...this.modelSelect.options].map((option) => option.value);
    if (known.length === models.length + 1 && models.every((model) => known.includes(model))) return;
    replace(this.modelSelect, h('option', { value: '' }, 'any model'), ...models.map((model) => h('option', { value: model }, model)));
    this.modelSelect.value = this.state.model;
  }

  private showTable(answer: ListAnswer): void {
    const { state } = this;
    const header = h(
      'tr',
      {},
      ...COLUMNS.map((column) => {
        if (column.sort === undefined) return h('th', {}, column.title);
        const active = state.sort === column.sort;
        const next = active && state.order === 'desc' ? 'asc' : 'desc';
        return h('th', { class: active ? 'sorted' : null }, h('button', { class: 'sort', onclick: () => this.change({ sort: column.sort!, order: next }) }, column.title, active ? (state.order === 'desc' ? ' ▼' : ' ▲') : ''));
      }),
    );
    const rows = answer.runs.map((run) => h('tr', { 'data-run-id': run.id }, ...COLUMNS.map((column) => h('td', {}, column.cell(run, this.context, () => this.poller.now())))));
    const empty = answer.runs.length === 0 ? h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'muted' }, answer.total === 0 ? 'No runs match.' : 'No runs on this page.')) : null;
    replace(this.table, h('thead', {}, header), h('tbody', {}, ...rows, empty));
  }

  private showPager(answer: ListAnswer): void {
    const last = Math.min(answer.total, answer.offset + answer.runs.length);
    replace(
      this.pager,
      h('button', { disabled: this.state.offset === 0, onclick: () => this.change({ offset: Math.max(0, this.state.offset - PAGE_SIZE) }) }, '‹ Previous'),
      h('span', { class: 'muted' }, answer.total === 0 ? '0 runs' : `${(answer.offset + 1).toLocaleString()}–${last.toLocaleString()} of ${answer.total.toLocaleString()}`),
      h('button', { disabled: last >= answer.total, onclick: () => this.change({ offset: this.state.offset + PAGE_SIZE }) }, 'Next ›'),
    );
  }
}

function progressCell(run: RunRow): Node {
  const percent = Math.round(fractionDone(run) * 100);
  const live = liveProgress(run);
  const batch = live === null ? '' : ` · batch ${live.batch}/${live.batchesPerEpoch}`;
  return h('div', { class: 'progress-cell', title: `${percent}%` }, h('span', { class: 'epochs' }, `${run.epoch}/${run.totalEpochs}${batch}`), h('div', { class: 'bar' }, h('div', { style: `width:${percent}%` })));
}

function cancelButton(run: RunRow, refresh: () => void): HTMLButtonElement {
  const button = h('button', {
    class: 'danger small',
    onclick: async () => {
      if (!confirm(`Cancel run ${run.name} (${run.id})?`)) return;
      button.disabled = true;
      try {
        await api(`/api/v1/runs/${encodeURIComponent(run.id)}/cancel`, { method: 'POST' });
      } catch (error) {
        alert(error instanceof ApiError ? error.message : String(error));
      }
      refresh();
    },
  }, 'Cancel');
  return button;
}
