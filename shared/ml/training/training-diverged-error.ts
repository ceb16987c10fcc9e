/**
 * A loss became NaN or infinite. Retrying does not help (the run is deterministic), so
 * the worker fails the job without retries; the `best` checkpoint written before stays usable.
 */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';

  /** `what` says which loss and where, e.g. `training loss is NaN at batch 3`. */
  constructor(
    readonly epoch: number,
    what: string,
  ) {
    super(`diverged at epoch ${epoch}: ${what}; lower the learning rate or check the data`);
  }
}
