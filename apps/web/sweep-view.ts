import type { SweepRecord, TrialView } from '../../shared/sweep/sweep-record.ts';
import type { TrialEvent } from '../../shared/sweep/trial-log.ts';

/** A sweep as `GET /api/v1/sweeps/:id` presents it. */
export type SweepView = SweepRecord & {
  trials: TrialView[];
  leaderboard: { rank: number; trial: number; runId: string; value: number; epochsRun: number; status: string; params: Record<string, unknown> }[];
};

export type { TrialEvent, TrialView };

/** A rung of ASHA: the epoch trials were measured at, who reached it and who went on. */
export interface Rung {
  epoch: number;
  reached: { index: number; value: number }[];
  promoted: number[];
}

/**
 * The rungs the controller's events show: a `reported` event puts a trial on the rung of
 * its epoch; a later `continued` event with a larger budget means it was promoted from there.
 */
export function rungsOf(events: readonly TrialEvent[]): Rung[] {
  const rungs = new Map<number, Rung>();
  const lastReport = new Map<number, number>();
  for (const event of events) {
    if (event.type === 'reported') {
      const rung = rungs.get(event.epoch) ?? { epoch: event.epoch, reached: [], promoted: [] };
      if (!rung.reached.some((entry) => entry.index === event.index)) rung.reached.push({ index: event.index, value: event.value });
      rungs.set(event.epoch, rung);
      lastReport.set(event.index, event.epoch);
    } else if (event.type === 'continued') {
      const epoch = lastReport.get(event.index);
      const rung = epoch === undefined ? undefined : rungs.get(epoch);
      if (rung !== undefined && !rung.promoted.includes(event.index)) rung.promoted.push(event.index);
    }
  }
  return [...rungs.values()].sort((a, b) => a.epoch - b.epoch);
}
