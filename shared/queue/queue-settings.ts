import type { JobsOptions, WorkerOptions } from 'bullmq';

/**
 * Lock and stall settings of the train worker. With BullMQ defaults a dead worker's job
 * is picked up after ~60 s; with these, after ~10–15 s (DESIGN.md "Settings that matter").
 * Stalls do not consume attempts, so `maxStalledCount` bounds how many worker deaths one
 * run survives.
 */
export const TRAIN_WORKER_SETTINGS = {
  /** ms a job's lock lives without renewal; default here 10 s. */
  lockDuration: 10_000,
  /** ms between checks for jobs whose lock expired; default here 5 s. */
  stalledInterval: 5_000,
  /** Worker deaths one run may survive; default here 20. */
  maxStalledCount: 20,
} satisfies Partial<WorkerOptions>;

/** Retries for real failures (storage errors, crashes of the training process). */
export const TRAIN_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
};
