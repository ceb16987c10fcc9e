/**
 * One line of `runs/<id>/metrics.jsonl`, written once per finished epoch.
 * A type alias (not an interface) so that it is assignable to the contracts' `EpochMetrics`.
 */
export type EpochRecord = {
  /** 0-based epoch index. */
  epoch: number;
  /**
   * Training losses: the sample-weighted mean over the epoch's batches (the official
   * trainer's `batch_loss / count_images`, without its logging-only start value of 1.0).
   * `loss` is the optimised total; trainers may add terms (e.g. `loss_rec`).
   */
  train: { loss: number } & Record<string, number>;
  /**
   * Validation metrics over the whole val split, sample-weighted. Reconstruction trainer:
   * `loss_prec` = the configured criterion (L1/L2), `loss_mse` = mean squared error.
   */
  val: Record<string, number>;
  /** Learning rate used for this epoch's training steps. */
  lr: number;
  /** Wall-clock seconds of the epoch, training plus validation (a resumed epoch adds its earlier part). */
  time_s: number;
  /** Training images per second over the epoch's training steps. */
  images_per_s: number;
};

/** The best validation result so far, and which epoch gave it. */
export interface BestSoFar {
  /** 0-based epoch of the best result. */
  epoch: number;
  /** The selection metric, e.g. `val.loss_prec`. */
  metric: string;
  value: number;
}

/** Progress after every training batch, for progress bars and ETAs. */
export interface BatchInfo {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based index of the batch just finished. */
  batch: number;
  batchesPerEpoch: number;
  /** Training loss of this batch. */
  loss: number;
  /** Throughput of the training steps of this epoch so far. */
  imagesPerSecond: number;
}
