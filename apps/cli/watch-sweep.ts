import type { SweepRecord, TrialView } from '../../shared/sweep/sweep-record.ts';
import type { ApiClient } from './api-client.ts';

type SweepView = SweepRecord & { trials: TrialView[]; best: { trial: number; runId: string; value: number } | null };

const FINISHED = new Set(['completed', 'cancelled', 'failed']);

/**
 * Follows a sweep until it ends: on a terminal the trial table is redrawn in place every
 * refresh; elsewhere a line is printed whenever a trial changes.
 */
export async function watchSweep(client: ApiClient, sweepId: string, options: { pollMs?: number } = {}): Promise<SweepView> {
  const interactive = process.stdout.isTTY === true;
  let previous = '';
  let drawnLines = 0;
  for (;;) {
    const sweep = await client.get<SweepView>(`/api/v1/sweeps/${sweepId}`);
    const table = renderSweep(sweep);
    if (interactive) {
      if (drawnLines > 0) process.stdout.write(`\x1b[${drawnLines}A\x1b[J`);
      process.stdout.write(`${table}\n`);
      drawnLines = table.split('\n').length;
    } else {
      const lines = table.split('\n');
      const before = new Set(previous.split('\n'));
      for (const line of lines) if (!before.has(line)) process.stdout.write(`${line}\n`);
      previous = table;
    }
    if (FINISHED.has(sweep.status)) return sweep;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

export function renderSweep(sweep: SweepView): string {
  const header = `sweep ${sweep.id} (${sweep.name}, ${sweep.method}, ${sweep.metric.goal} ${sweep.metric.name}): ${sweep.status}, ${sweep.trials.length}/${sweep.maxTrials} trials`;
  const rows = sweep.trials.map((trial) => [
    `t${trial.index}`,
    trial.status,
    `${trial.epochsRun}/${trial.budget}`,
    trial.value === null ? '–' : trial.value.toPrecision(5),
    Object.entries(trial.params).map(([key, value]) => `${key.split('.').at(-1)}=${typeof value === 'number' ? value.toPrecision(3) : JSON.stringify(value)}`).join(' '),
  ]);
  const widths = [5, 9, 7, 11].map((w, i) => Math.max(w, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('  ');
  const best = sweep.best === null ? 'best: –' : `best: t${sweep.best.trial} (${sweep.best.runId}) ${sweep.metric.name} = ${sweep.best.value.toPrecision(5)}`;
  return [header, line(['TRIAL', 'STATE', 'EPOCHS', 'METRIC', 'PARAMS']), ...rows.map(line), best].join('\n');
}
