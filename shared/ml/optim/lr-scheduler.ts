/** A scheduler's saved state: JSON, so that it goes into a checkpoint's state.json. */
export type LrSchedulerState = { name: string; lr: number } & Record<string, number | string | null>;

/**
 * A learning-rate schedule stepped as the official trainers step theirs: once per
 * epoch, after validation, with the validation loss (`sched.step(val_loss)`, §11.2).
 */
export interface LrScheduler {
  /** Registry name: `plateau`, `cosine`, `exponential` or `none`. */
  readonly name: string;
  /** The learning rate of the coming epoch. */
  readonly lr: number;
  /** Takes the epoch's validation loss; returns the learning rate of the next epoch. */
  step(validationLoss: number): number;
  state(): LrSchedulerState;
  /** Continues from a saved state; throws when the state belongs to another schedule. */
  restore(state: LrSchedulerState): void;
}

/** Checks that a saved state is of this schedule and has these numeric fields. */
export function checkSchedulerState(state: LrSchedulerState, name: string, numericKeys: readonly string[]): void {
  if (state.name !== name) throw new Error(`lr scheduler state is for "${state.name}", this run uses "${name}"`);
  for (const key of ['lr', ...numericKeys]) {
    if (typeof state[key] !== 'number' || !Number.isFinite(state[key])) {
      throw new Error(`lr scheduler state "${name}": ${key} must be a finite number, got ${JSON.stringify(state[key])}`);
    }
  }
}
