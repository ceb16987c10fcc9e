import type { SweepRecord } from '../../../shared/sweep/sweep-record.ts';
import { api } from '../api.ts';
import { formatTime, h, link, replace, statusBadge } from '../dom.ts';
import { Poller, type Page, type PageContext } from '../page.ts';

/** Every sweep, newest first, with links to each. */
export function sweepsPage(root: HTMLElement, _context: PageContext): Page {
  const table = h('table', { class: 'runs' });
  const poller = new Poller(async () => {
    const { sweeps } = await api<{ sweeps: SweepRecord[] }>('/api/v1/sweeps');
    const sorted = [...sweeps].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    replace(
      table,
      h('thead', {}, h('tr', {}, ...['Status', 'Name', 'Method', 'Metric', 'Trials', 'Created', ''].map((title) => h('th', {}, title)))),
      h(
        'tbody',
        {},
        ...sorted.map((sweep) =>
          h('tr', {}, h('td', {}, statusBadge(sweep.status)), h('td', {}, link(`/sweeps/${encodeURIComponent(sweep.id)}`, sweep.name), h('div', { class: 'muted small mono' }, sweep.id)), h('td', {}, sweep.method), h('td', {}, `${sweep.metric.name} (${sweep.metric.goal})`), h('td', {}, `≤ ${sweep.maxTrials}, ${sweep.maxConcurrent} at a time`), h('td', {}, formatTime(sweep.createdAt)), h('td', {}, link(`/compare?sweep=${encodeURIComponent(sweep.id)}`, 'compare'))),
        ),
        sorted.length === 0 ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No sweeps yet: npx aelab sweep configs/smoke/sweep.yaml')) : null,
      ),
    );
  }, 5000);
  replace(root, h('h1', {}, 'Sweeps'), h('div', { class: 'table-wrap' }, table));
  poller.start();
  return { dispose: () => poller.stop() };
}
