import { api } from '../api.ts';
import { formatNumber, h, link, replace, statusBadge } from '../dom.ts';
import { AXIS_STYLE, Chart, SERIES_COLOURS } from '../echarts.ts';
import { LivePage } from '../live-page.ts';
import type { Page, PageContext } from '../page.ts';
import { rungsOf, type Rung, type SweepView, type TrialEvent } from '../sweep-view.ts';

/** A sweep: leaderboard, objective over time, parallel coordinates and ASHA rungs, live. */
export function sweepPage(root: HTMLElement, context: PageContext, sweepId: string): Page {
  return new SweepPage(root, context, sweepId);
}

class SweepPage extends LivePage {
  private readonly leaderboard = h('section', { class: 'card' });
  private readonly rungTable = h('section', { class: 'card' });
  private readonly boxes = { time: h('div', { class: 'chart' }), parallel: h('div', { class: 'chart tall' }), rungs: h('div', { class: 'chart' }) };
  private readonly charts: Chart[] = [];
  private shownEvents = -1;

  constructor(root: HTMLElement, context: PageContext, sweepId: string) {
    super(root, context, { noun: 'sweep', id: sweepId, list: { path: '/sweeps', label: '‹ All sweeps' } }, 3000);
    const figure = (caption: string, box: HTMLElement, grow: boolean) => h('figure', { class: grow ? 'chart-card grow' : 'chart-card' }, h('figcaption', {}, caption), box);
    replace(
      root,
      this.header,
      this.leaderboard,
      h('div', { class: 'chart-row' }, figure('objective per trial over time', this.boxes.time, true), figure('ASHA: objective at each rung, per trial (▲ promoted)', this.boxes.rungs, true)),
      figure('parallel coordinates (line colour: rank, best darkest)', this.boxes.parallel, false),
      this.rungTable,
    );
    this.poller.start();
  }

  override dispose(): void {
    super.dispose();
    for (const chart of this.charts) chart.dispose();
  }

  protected async update(): Promise<void> {
    const sweep = await api<SweepView>(this.base);
    const { events } = await api<{ events: TrialEvent[] }>(`${this.base}/events`);
    this.showHeader(sweep);
    if (events.length === this.shownEvents) return;
    this.shownEvents = events.length;
    this.showLeaderboard(sweep);
    if (this.charts.length === 0) this.charts.push(new Chart(this.boxes.time), new Chart(this.boxes.parallel), new Chart(this.boxes.rungs));
    const rungs = rungsOf(events);
    this.charts[0].show(objectiveOverTime(sweep, events));
    this.charts[1].show(parallelCoordinates(sweep));
    this.charts[2].show(rungChart(sweep, events, rungs));
    this.showRungs(rungs);
    if (sweep.status !== 'queued' && sweep.status !== 'running') this.poller.stop();
  }

  private showHeader(sweep: SweepView): void {
    const active = sweep.status === 'queued' || sweep.status === 'running';
    const cancel = this.context.session.role === 'write' && active ? h('button', { class: 'danger', onclick: () => void this.cancel() }, 'Cancel sweep') : null;
    replace(
      this.header,
      h('h1', {}, sweep.name, ' ', statusBadge(sweep.status)),
      h('span', { class: 'muted' }, `${sweep.method} · ${sweep.metric.name} (${sweep.metric.goal}) · ${sweep.trials.length}/${sweep.maxTrials} trials`),
      h('span', { class: 'spacer' }),
      link(`/compare?sweep=${encodeURIComponent(sweep.id)}`, 'Compare trials…'),
      cancel,
    );
  }

  private showLeaderboard(sweep: SweepView): void {
    const keys = [...new Set(sweep.trials.flatMap((trial) => Object.keys(trial.params)))];
    const titles = ['#', 'trial', 'run', sweep.metric.name, 'epochs', 'status', ...keys.map(shortKey)];
    const row = (entry: SweepView['leaderboard'][number]) =>
      h('tr', {}, h('td', {}, String(entry.rank)), h('td', {}, String(entry.trial)), h('td', {}, link(`/runs/${encodeURIComponent(entry.runId)}`, entry.runId)), h('td', {}, formatNumber(entry.value)), h('td', {}, String(entry.epochsRun)), h('td', {}, statusBadge(entry.status)), ...keys.map((key) => h('td', {}, formatParam(entry.params[key]))));
    replace(
      this.leaderboard,
      h('h3', {}, 'Leaderboard'),
      h('div', { class: 'scroll-x' }, h('table', { class: 'metrics' }, h('thead', {}, h('tr', {}, ...titles.map((title) => h('th', {}, title)))), h('tbody', {}, ...sweep.leaderboard.map(row)))),
    );
  }

  private showRungs(rungs: Rung[]): void {
    const row = (rung: Rung) => h('tr', {}, h('td', {}, String(rung.epoch)), h('td', {}, rung.reached.map((entry) => entry.index).join(', ')), h('td', {}, rung.promoted.length === 0 ? '–' : rung.promoted.join(', ')));
    replace(
      this.rungTable,
      h('h3', {}, 'ASHA rungs'),
      rungs.length === 0
        ? h('p', { class: 'muted' }, 'No trial has reported yet.')
        : h('table', { class: 'metrics' }, h('thead', {}, h('tr', {}, h('th', {}, 'epoch'), h('th', {}, 'trials that reached it'), h('th', {}, 'promoted from it'))), h('tbody', {}, ...rungs.map(row))),
    );
  }
}

/** The last two parts of a dotted config path: enough to tell parameters apart in a header. */
function shortKey(key: string): string {
  return key.split('.').slice(-2).join('.');
}

function formatParam(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : JSON.stringify(value);
}

function objectiveOverTime(sweep: SweepView, events: TrialEvent[]) {
  const reports = events.filter((event): event is Extract<TrialEvent, { type: 'reported' }> => event.type === 'reported');
  const better = (a: number, b: number) => (sweep.metric.goal === 'minimize' ? a < b : a > b);
  let best: number | null = null;
  const bestLine = reports.map((event) => {
    if (best === null || better(event.value, best)) best = event.value;
    return [Date.parse(event.at), best];
  });
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 30, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: 'item' as const, formatter: (p: { data: [number, number, number] }) => `trial ${p.data[2] ?? ''}: ${formatNumber(p.data[1])}` },
    xAxis: { type: 'time' as const, axisLabel: { hideOverlap: true }, ...AXIS_STYLE },
    yAxis: { type: 'value' as const, scale: true, name: sweep.metric.name, ...AXIS_STYLE },
    series: [
      { name: 'report', type: 'scatter' as const, data: reports.map((event) => [Date.parse(event.at), event.value, event.index]), itemStyle: { color: SERIES_COLOURS[0] } },
      { name: 'best so far', type: 'line' as const, step: 'end' as const, data: bestLine, showSymbol: false, lineStyle: { color: SERIES_COLOURS[2] }, itemStyle: { color: SERIES_COLOURS[2] } },
    ],
  };
}

function parallelCoordinates(sweep: SweepView) {
  const keys = [...new Set(sweep.trials.flatMap((trial) => Object.keys(trial.params)))];
  const numeric = (key: string) => sweep.trials.every((trial) => typeof trial.params[key] === 'number' || trial.params[key] === undefined);
  // Learning rates and the like span decades: on a linear axis all but the largest sit at 0.
  const logScaled = (key: string) => {
    const values = sweep.trials.map((trial) => trial.params[key]).filter((value): value is number => typeof value === 'number');
    return values.length > 0 && values.every((value) => value > 0) && Math.max(...values) / Math.min(...values) >= 100;
  };
  const categories = (key: string) => [...new Set(sweep.trials.map((trial) => JSON.stringify(trial.params[key])))];
  const axes = [
    ...keys.map((key, dim) => (numeric(key) ? { dim, name: shortKey(key), type: logScaled(key) ? ('log' as const) : ('value' as const) } : { dim, name: shortKey(key), type: 'category' as const, data: categories(key) })),
    { dim: keys.length, name: sweep.metric.name },
  ];
  const rank = new Map(sweep.leaderboard.map((entry) => [entry.trial, entry.rank]));
  const count = Math.max(1, sweep.leaderboard.length);
  return {
    animation: false,
    parallel: { left: 60, right: 80, top: 40, bottom: 30 },
    parallelAxis: axes.map((axis) => ({ ...axis, nameTextStyle: { color: '#5b6170' } })),
    series: [
      {
        type: 'parallel' as const,
        lineStyle: { width: 2 },
        data: sweep.trials
          .filter((trial) => trial.value !== null)
          .map((trial) => ({
            value: [...keys.map((key) => (numeric(key) ? trial.params[key] : JSON.stringify(trial.params[key]))), trial.value],
            lineStyle: { color: SERIES_COLOURS[0], opacity: 0.25 + 0.75 * (1 - ((rank.get(trial.index) ?? count) - 1) / count) },
          })),
      },
    ],
  };
}

function rungChart(sweep: SweepView, events: TrialEvent[], rungs: Rung[]) {
  const byTrial = new Map<number, [number, number][]>();
  for (const event of events) if (event.type === 'reported') byTrial.set(event.index, [...(byTrial.get(event.index) ?? []), [event.epoch, event.value]]);
  const promoted = new Set(rungs.flatMap((rung) => rung.promoted.map((index) => `${rung.epoch}:${index}`)));
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 30, bottom: 30 },
    tooltip: { trigger: 'item' as const },
    xAxis: { type: 'value' as const, name: 'epoch', nameLocation: 'middle' as const, nameGap: 22, minInterval: 1, ...AXIS_STYLE },
    yAxis: { type: 'value' as const, scale: true, name: sweep.metric.name, ...AXIS_STYLE },
    series: [...byTrial.entries()].map(([index, points], i) => ({
      name: `trial ${index}`,
      type: 'line' as const,
      data: points.map(([epoch, value]) => ({ value: [epoch, value], symbol: promoted.has(`${epoch}:${index}`) ? 'triangle' : 'circle', symbolSize: promoted.has(`${epoch}:${index}`) ? 10 : 6 })),
      lineStyle: { color: SERIES_COLOURS[i % SERIES_COLOURS.length], width: 1.5 },
      itemStyle: { color: SERIES_COLOURS[i % SERIES_COLOURS.length] },
    })),
  };
}
