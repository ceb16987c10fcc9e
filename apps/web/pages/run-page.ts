import { api } from '../api.ts';
import { formatNumber, formatSeconds, formatTime, h, link, replace, statusBadge } from '../dom.ts';
import { EvaluationPanel } from '../evaluation-panel.ts';
import { MetricCharts } from '../metric-charts.ts';
import type { EpochRecord } from '../metric-series.ts';
import { LivePage } from '../live-page.ts';
import type { Page, PageContext } from '../page.ts';
import { evaluationIdsOf, fractionDone, isActive, liveProgress, type RunView } from '../run-view.ts';

const POLL_MS = 2000;
/** A run that finished this recently may still get its evaluation queued by the worker. */
const EVALUATION_GRACE_MS = 60_000;

/** One run: live progress, its curves, config, checkpoints and evaluations. */
export function runPage(root: HTMLElement, context: PageContext, runId: string): Page {
  return new RunPage(root, context, runId);
}

class RunPage extends LivePage {
  private readonly progress = h('section', { class: 'card progress' });
  private readonly details = h('section', { class: 'card details' });
  private readonly charts = new MetricCharts();
  private readonly checkpoints = h('section', { class: 'card' });
  private readonly config = h('pre', { class: 'config' });
  private readonly evaluations = h('div', { class: 'evaluations' });
  private readonly panels = new Map<string, EvaluationPanel>();
  private readonly finishedPanels = new Set<string>();
  private epochsShown = -1;
  private statusShown = '';
  private configShown = false;

  constructor(root: HTMLElement, context: PageContext, runId: string) {
    super(root, context, { noun: 'run', id: runId, list: { path: '/', label: '‹ All runs' } }, POLL_MS);
    replace(
      root,
      this.header,
      h('div', { class: 'two-columns' }, this.progress, this.details),
      h('h2', {}, 'Curves'),
      this.charts.element,
      h('h2', {}, 'Evaluations'),
      this.evaluations,
      h('div', { class: 'two-columns' }, this.checkpoints, h('section', { class: 'card' }, h('h3', {}, 'Resolved config'), this.config)),
    );
    this.poller.start();
  }

  override dispose(): void {
    super.dispose();
    this.charts.dispose();
    for (const panel of this.panels.values()) panel.dispose();
  }

  protected async update(): Promise<void> {
    const run = await api<RunView>(this.base);
    this.showHeader(run);
    this.showProgress(run);
    this.showDetails(run);
    if (run.epoch !== this.epochsShown || run.status !== this.statusShown) {
      const { epochs } = await api<{ epochs: EpochRecord[] }>(`${this.base}/metrics`);
      this.charts.show([{ label: run.name, records: epochs }]);
      this.epochsShown = run.epoch;
      await this.showCheckpoints(run);
    }
    if (!this.configShown) {
      this.config.textContent = await (await fetch(`${this.base}/artifacts/config.yaml`, { credentials: 'same-origin' })).text();
      this.configShown = true;
    }
    await this.showEvaluations(run);
    this.statusShown = run.status;
    const justFinished = run.finishedAt !== null && Date.now() - Date.parse(run.finishedAt) < EVALUATION_GRACE_MS;
    if (!isActive(run) && !justFinished && evaluationIdsOf(run).every((id) => this.finishedPanels.has(id))) this.poller.stop();
  }

  protected override showUpdateError(error: unknown): void {
    this.progress.prepend(h('p', { class: 'error' }, `Update failed: ${String(error)}`));
  }

  private showHeader(run: RunView): void {
    const cancel = this.context.session.role === 'write' && isActive(run) ? h('button', { class: 'danger', onclick: () => void this.cancel() }, 'Cancel run') : null;
    replace(this.header, h('h1', {}, run.name, ' ', statusBadge(run.status)), h('span', { class: 'muted mono' }, run.id), h('span', { class: 'spacer' }), link(`/compare?runs=${encodeURIComponent(run.id)}`, 'Compare…'), cancel);
  }

  private showProgress(run: RunView): void {
    const percent = Math.round(fractionDone(run) * 100);
    const live = liveProgress(run);
    const facts: [string, string][] = [
      ['epoch', `${live === null ? run.epoch : live.epoch + 1} / ${run.totalEpochs}`],
      ['batch', live === null ? '–' : `${live.batch} / ${live.batchesPerEpoch}`],
      ['images/s', formatNumber(live?.imagesPerSecond ?? (run.latestMetrics?.images_per_s as number | undefined) ?? null, 3)],
      ['ETA', live === null ? '–' : formatSeconds(live.etaSeconds)],
      ['loss', formatNumber(live?.loss ?? null)],
    ];
    replace(
      this.progress,
      h('div', { class: 'bar big' }, h('div', { style: `width:${percent}%` })),
      h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', { 'data-fact': term }, value)])),
      run.error === null ? null : h('p', { class: 'error' }, run.error),
    );
  }

  private showDetails(run: RunView): void {
    const facts: [string, string][] = [
      ['model', run.model],
      ['submitted by', run.submittedBy ?? '–'],
      ['waiting for', run.waitingFor ?? '–'],
      ['worker', run.worker === null ? '–' : `${run.worker.host} (pid ${run.worker.pid})`],
      ['backend', run.worker?.backend ?? '–'],
      ['device', run.worker?.device ?? '–'],
      ['best', run.best === null ? '–' : `${run.best.metric} = ${formatNumber(run.best.value)} (epoch ${run.best.epoch + 1})`],
      ['created', formatTime(run.createdAt)],
      ['started', formatTime(run.startedAt)],
      ['finished', formatTime(run.finishedAt)],
      ['attempts', String(run.attempts)],
      ['config hash', run.configHash.slice(0, 12)],
    ];
    replace(this.details, h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])));
  }

  private async showCheckpoints(run: RunView): Promise<void> {
    const listing = await api<{ entries: string[] }>(`${this.base}/artifacts/checkpoints/`).catch(() => ({ entries: [] as string[] }));
    const entries = listing.entries.sort();
    const item = (entry: string) => h('li', {}, h('a', { href: `${this.base}/artifacts/checkpoints/${encodeURIComponent(entry)}/` }, entry), entry === 'best' && run.best !== null ? ` (epoch ${run.best.epoch + 1})` : '');
    replace(this.checkpoints, h('h3', {}, 'Checkpoints'), entries.length === 0 ? h('p', { class: 'muted' }, 'None yet.') : h('ul', { class: 'checkpoints' }, ...entries.map(item)));
  }

  private async showEvaluations(run: RunView): Promise<void> {
    const ids = evaluationIdsOf(run);
    if (ids.length === 0) {
      const waiting = run.status === 'completed' ? 'Not evaluated (its config has no downstream_tasks, or no evaluation was asked for).' : 'Evaluated after training when its config has downstream_tasks.';
      replace(this.evaluations, h('p', { class: 'muted no-evaluation' }, waiting));
      return;
    }
    this.evaluations.querySelector('p.no-evaluation')?.remove();
    for (const id of ids.filter((candidate) => !this.finishedPanels.has(candidate))) {
      let panel = this.panels.get(id);
      if (panel === undefined) {
        panel = new EvaluationPanel(id);
        this.panels.set(id, panel);
        this.evaluations.appendChild(panel.element);
      }
      if (await panel.refresh()) this.finishedPanels.add(id);
    }
  }
}
