import type { SeededRandom } from '../random/seeded-random.ts';

/** Parameter values by dotted config path, as a sampler proposes them. */
export type TrialParams = Record<string, unknown>;

/**
 * A trial that ended with a metric. `value` is a LOSS: lower is better. The controller
 * turns a maximised metric into one with `lossOf` before handing it over, so no sampler
 * needs to know the goal. A diverged trial may carry NaN or ±Infinity: samplers rank it
 * below every finite value.
 */
export interface FinishedTrial {
  params: TrialParams;
  value: number;
}

/** A trial proposed earlier and still training (or queued): its point is taken. */
export interface RunningTrial {
  params: TrialParams;
}

export interface SamplerContext {
  finished: readonly FinishedTrial[];
  running: readonly RunningTrial[];
  /**
   * The sweep's generator. A sampler draws only from it, so the controller that persists
   * `random.state()` after each proposal replays the same proposals after a restart.
   */
  random: SeededRandom;
}

/**
 * Proposes the next trial's parameters from what is known so far. A sampler keeps no
 * state of its own: everything it needs is in the context, so a restarted controller
 * rebuilds it from its trial log.
 */
export interface Sampler {
  /** The next point, or null when nothing is left to try (a grid that is exhausted). */
  propose(context: SamplerContext): TrialParams | null;
}

/** The loss a sampler sees for a metric with the given goal. */
export function lossOf(value: number, goal: 'minimize' | 'maximize'): number {
  return goal === 'maximize' ? -value : value;
}
