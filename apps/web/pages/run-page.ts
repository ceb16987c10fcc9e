import { api, ApiError } from '../api.ts';
import { formatNumber, formatSeconds, formatTime, h, link, replace, statusBadge } from '../dom.ts';
import { EvaluationPanel } from '../evaluation-panel.ts';
import { MetricCharts } from '../metric-charts.ts';
import type { EpochRecord } from '../metric-series.ts';
import { Poller, type Page, type PageContext } from '../page.ts';
import { evaluationIdsOf, fractionDone, isActive, liveProgress, type RunView } from '../run-view.ts';

const POLL_MS = 2000;

/** One run: live progress, its curves, config, checkpoints and evaluations. */
export function runPage(root: HTMLElement, context: PageContext, runId: string): Page {
  const base = `/api/v1/runs/${encodeURIComponent(runId)}`;
  const header = h('div', { class: 'title-row' });
  const progress = h('section', { class: 'card progress' });
  const details = h('section', { class: 'card details' });
  const charts = new MetricCharts();
  const checkpoints = h('section', { class: 'card' });
  const config = h('pre', { class: 'config' });
  const evaluations = h('div', { class: 'evaluations' });
  const panels = new Map<string, EvaluationPanel>();
  const finishedPanels = new Set<string>();
  let epochsShown = -1;
  let configShown = false;
  let lastStatus = '';

  const poller = new Poller(
    async () => {
      const run = await api<RunView>(base);
      showHeader(run);
      showProgress(run);
      showDetails(run);
      if (run.epoch !== epochsShown || run.status !== lastStatus) {
        const { epochs } = await api<{ epochs: EpochRecord[] }>(`${base}/metrics`);
        charts.show([{ label: run.name, records: epochs }]);
        epochsShown = run.epoch;
        await showCheckpoints(run);
      }
      if (!configShown) {
        config.textContent = await (await fetch(`${base}/artifacts/config.yaml`, { credentials: 'same-origin' })).text();
        configShown = true;
      }
      await showEvaluations(run);
      lastStatus = run.status;
      // A run that has just finished may still get its evaluation queued by the worker.
      const justFinished = run.finishedAt !== null && Date.now() - Date.parse(run.finishedAt) < 60_000;
      if (!isActive(run) && !justFinished && evaluationIdsOf(run).every((id) => finishedPanels.has(id))) poller.stop();
    },
    POLL_MS,
    (error) => {
      if (error instanceof ApiError && error.status === 404) {
        poller.stop();
        charts.dispose();
        replace(root, h('h1', {}, 'Run not found'), h('p', { class: 'not-found' }, `There is no run with the id "${runId}".`), h('p', {}, link('/', '‹ All runs')));
        return;
      }
      progress.prepend(h('p', { class: 'error' }, `Update failed: ${String(error)}`));
    },
  );

  function showHeader(run: RunView): void {
    const cancel = context.session.role === 'write' && isActive(run)
      ? h('button', { class: 'danger', onclick: async () => {
          if (!confirm(`Cancel run ${run.id}?`)) return;
          await api(`${base}/cancel`, { method: 'POST' }).catch((error: unknown) => alert(String(error)));
          poller.now();
        } }, 'Cancel run')
      : null;
    replace(header, h('h1', {}, run.name, ' ', statusBadge(run.status)), h('span', { class: 'muted mono' }, run.id), h('span', { class: 'spacer' }), link(`/compare?runs=${encodeURIComponent(run.id)}`, 'Compare…'), cancel);
  }

  function showProgress(run: RunView): void {
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
      progress,
      h('div', { class: 'bar big' }, h('div', { style: `width:${percent}%` })),
      h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', { 'data-fact': term }, value)])),
      run.error === null ? null : h('p', { class: 'error' }, run.error),
    );
  }

  function showDetails(run: RunView): void {
    const facts: [string, string][] = [
      ['model', run.model],
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
    replace(details, h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])));
  }

  async function showCheckpoints(run: RunView): Promise<void> {
    const listing = await api<{ entries: string[] }>(`${base}/artifacts/checkpoints/`).catch(() => ({ entries: [] as string[] }));
    const entries = listing.entries.sort();
    replace(
      checkpoints,
      h('h3', {}, 'Checkpoints'),
      entries.length === 0
        ? h('p', { class: 'muted' }, 'None yet.')
        : h('ul', { class: 'checkpoints' }, ...entries.map((entry) => h('li', {}, h('a', { href: `${base}/artifacts/checkpoints/${encodeURIComponent(entry)}/` }, entry), entry === 'best' && run.best !== null ? ` (epoch ${run.best.epoch + 1})` : ''))),
    );
  }

  async function showEvaluations(run: RunView): Promise<void> {
    const ids = evaluationIdsOf(run);
    if (ids.length === 0) {
      replace(evaluations, h('p', { class: 'muted no-evaluation' }, run.status === 'completed' ? 'Not evaluated (its config has no downstream_tasks, or no evaluation was asked for).' : 'Evaluated after training when its config has downstream_tasks.'));
      return;
    }
    evaluations.querySelector('p.no-evaluation')?.remove();
    for (const id of ids) {
      if (finishedPanels.has(id)) continue;
      let panel = panels.get(id);
      if (panel === undefined) {
        panel = new EvaluationPanel(id);
        panels.set(id, panel);
        evaluations.appendChild(panel.element);
      }
      if (await panel.refresh()) finishedPanels.add(id);
    }
  }

  replace(
    root,
    header,
    h('div', { class: 'two-columns' }, progress, details),
    h('h2', {}, 'Curves'),
    charts.element,
    h('h2', {}, 'Evaluations'),
    evaluations,
    h('div', { class: 'two-columns' }, checkpoints, h('section', { class: 'card' }, h('h3', {}, 'Resolved config'), config)),
  );
  poller.start();
  return {
    dispose: () => {
      poller.stop();
      charts.dispose();
      for (const panel of panels.values()) panel.dispose();
    },
  };
}
