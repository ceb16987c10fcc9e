import { z } from 'zod';

/** Payload of a `train` job. The job id is the run id, so a run is queued at most once. */
export const trainJobSchema = z.object({
  runId: z.string().min(1),
  /** The experiment config after overrides, in the structure users write (YAML as JSON). */
  config: z.record(z.string(), z.unknown()),
  /** Who submitted the run (token name or `anonymous`); absent on jobs queued before submitters were recorded. */
  submittedBy: z.string().optional(),
});
export type TrainJob = z.infer<typeof trainJobSchema>;

/** What the job reports through `job.updateProgress` (Bull Board shows it). */
export interface TrainProgress {
  /** 0-based epoch in progress. */
  epoch: number;
  totalEpochs: number;
  batch: number;
  batchesPerEpoch: number;
  /** Whole percentage of the run; Bull Board draws its progress circle from this key. */
  progress: number;
  loss: number | null;
  imagesPerSecond: number | null;
  /** Seconds left at the current speed, or null before the first batch. */
  etaSeconds: number | null;
}

/** The value a finished train job returns. */
export interface TrainJobResult {
  status: 'completed' | 'cancelled';
  epochsCompleted: number;
  stoppedEarly: boolean;
}
