import type { ArtifactStore } from '../storage/artifact-store.ts';
import { ArtifactNotFoundError } from '../storage/artifact-store.ts';
import { sweepPaths } from './sweep-paths.ts';
import type { TrialStatus, TrialView } from './sweep-record.ts';

/**
 * `trials.jsonl`: the sweep controller's decisions, appended before they take effect.
 * Replaying it rebuilds the controller's state exactly, so a killed controller resumes
 * where it was; every action it takes again is idempotent (deterministic ids).
 */
export type TrialEvent =
  | { type: 'proposed'; index: number; runId: string; params: Record<string, unknown>; budget: number; at: string }
  | { type: 'reported'; index: number; epoch: number; value: number; at: string }
  | { type: 'continued'; index: number; budget: number; at: string }
  | { type: 'finished'; index: number; status: Exclude<TrialStatus, 'running'>; epochsRun: number; at: string };

export class TrialLog {
  constructor(
    private readonly store: ArtifactStore,
    private readonly sweepId: string,
  ) {}

  /**
   * Appends events that belong together (a trial's report and the decision it led to) in one
   * write: a crash leaves all of them or none, and a pass that finds none takes them again.
   */
  async append(...events: TrialEvent[]): Promise<void> {
    await this.store.appendLine(sweepPaths(this.sweepId).trials, events.map((event) => JSON.stringify(event)).join('\n'));
  }

  async events(): Promise<TrialEvent[]> {
    let text: string;
    try {
      text = await this.store.readText(sweepPaths(this.sweepId).trials);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return [];
      throw error;
    }
    // A line cut by a crash mid-append is the only one that can be incomplete: the last.
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as TrialEvent];
        } catch {
          return [];
        }
      });
  }

  /** The trials as the events left them, by index. */
  async trials(): Promise<TrialView[]> {
    return trialsOf(await this.events());
  }
}

/** The trials as `events` (the log, in order) left them, by index. */
export function trialsOf(events: readonly TrialEvent[]): TrialView[] {
  const trials = new Map<number, TrialView>();
  for (const event of events) {
    if (event.type === 'proposed') {
      if (trials.has(event.index)) continue;
      trials.set(event.index, { index: event.index, runId: event.runId, params: event.params, status: 'running', budget: event.budget, epochsRun: 0, value: null, reports: {} });
      continue;
    }
    const trial = trials.get(event.index);
    if (trial === undefined) continue;
    if (event.type === 'reported') {
      trial.reports[String(event.epoch)] = event.value;
      trial.value = event.value;
      trial.epochsRun = Math.max(trial.epochsRun, event.epoch);
    } else if (event.type === 'continued') {
      trial.status = 'running';
      trial.budget = event.budget;
    } else {
      trial.status = event.status;
      trial.epochsRun = event.epochsRun;
    }
  }
  return [...trials.values()].sort((a, b) => a.index - b.index);
}
