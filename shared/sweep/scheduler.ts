/**
 * A trial's metric at the end of an epoch. `trialId` is the trial's index in the sweep;
 * `value` is a loss (lower is better), oriented like `FinishedTrial.value`.
 */
export interface TrialReport {
  trialId: number;
  epoch: number;
  value: number;
}

/** A stopped trial that now deserves more epochs: resume it from its checkpoint. */
export interface Promotion {
  trialId: number;
  /** The rung it stopped at (its last report). */
  fromEpoch: number;
  /** The rung it should now train to before reporting again. */
  toEpoch: number;
}

/**
 * Early stopping across the trials of a sweep. A scheduler is a pure function of the
 * reports recorded so far, so the controller keeps only its report log (in the order it
 * recorded them) and rebuilds the scheduler's view from it after a restart.
 */
export interface TrialScheduler {
  /** Epochs at which the controller collects a report and asks `decide`; ascending, the last is the full budget. */
  rungs(): number[];
  /**
   * Whether a trial goes on past the rung it just reached. `reports` is the log up to this
   * report, with or without it. 'continue' at any epoch that is not a rung below the last.
   */
  decide(report: TrialReport, reports: readonly TrialReport[]): 'continue' | 'stop';
  /**
   * A stopped trial that the reports since it stopped now rank high enough to go on, or
   * null. `busy` names trials the controller must not resume (running, queued, failed or
   * cancelled); the controller marks a promoted trial busy until it reports again.
   */
  promotable(reports: readonly TrialReport[], busy: ReadonlySet<number>): Promotion | null;
}
