import type { RunRecord } from '../contracts/run-record.ts';

/** Seconds from start to finish (or to `now` while running); null before it starts. */
export function durationOf(run: Pick<RunRecord, 'startedAt' | 'finishedAt'>, now = Date.now()): number | null {
  if (run.startedAt === null) return null;
  const end = run.finishedAt === null ? now : Date.parse(run.finishedAt);
  return (end - Date.parse(run.startedAt)) / 1000;
}
