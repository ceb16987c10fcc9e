import type { RunStatus } from '../contracts/run-record.ts';
import type { EvaluationStatus } from '../evaluation/evaluation-record.ts';
import type { SuiteTable } from './suite-table.ts';

/** Where one method × seed stands: `done` once its run is trained and evaluated. */
export const ENTRY_STATES = ['done', 'evaluating', 'running', 'queued', 'failed'] as const;
export type EntryState = (typeof ENTRY_STATES)[number];

export interface EntryView {
  label: string;
  seed: number;
  runId: string;
  run: RunStatus | 'missing';
  epoch: number;
  totalEpochs: number;
  evaluation: EvaluationStatus | null;
  error: string | null;
}

/** `GET /api/v1/suites/:name`. */
export interface SuiteView {
  name: string;
  /** `completed` when every run is evaluated; `failed` when the rest is done and some run or evaluation failed. */
  status: 'running' | 'completed' | 'failed';
  counts: Record<EntryState, number>;
  total: number;
  /** Training done, 0..1: epochs trained over epochs asked for, a finished run counting whole. */
  fraction: number;
  entries: (EntryView & { state: EntryState })[];
  /** The table, once the suite is completed. */
  table: SuiteTable | null;
}

export function entryState(entry: EntryView): EntryState {
  switch (entry.run) {
    case 'completed':
      if (entry.evaluation === 'completed') return 'done';
      return entry.evaluation === 'failed' ? 'failed' : 'evaluating';
    case 'running':
      return 'running';
    case 'failed':
    case 'cancelled':
      return 'failed';
    default:
      return 'queued';
  }
}

export function summariseSuite(name: string, entries: readonly EntryView[]): SuiteView {
  const states = entries.map((entry) => ({ ...entry, state: entryState(entry) }));
  const counts = Object.fromEntries(ENTRY_STATES.map((state) => [state, states.filter((entry) => entry.state === state).length])) as Record<EntryState, number>;
  const trained = states.map((entry) => (entry.run === 'completed' ? 1 : entry.totalEpochs > 0 ? Math.min(1, entry.epoch / entry.totalEpochs) : 0));
  const status = counts.done === entries.length ? 'completed' : counts.done + counts.failed === entries.length ? 'failed' : 'running';
  return {
    name,
    status,
    counts,
    total: entries.length,
    fraction: trained.reduce((a, b) => a + b, 0) / Math.max(1, entries.length),
    entries: states,
    table: null,
  };
}
