import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { TrainProgress } from '../../shared/contracts/train-job.ts';
import type { RunSummary } from '../../shared/evaluation/run-summaries.ts';

/** A run as `GET /api/v1/runs/:id` presents it. */
export type RunView = RunRecord & { progress: TrainProgress | null; links: Record<string, string> };

/** A row of the filtered, sorted runs listing. */
export type RunRow = RunView & RunSummary;

export function isActive(run: Pick<RunRecord, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** Epochs done as a fraction, counting the batches of the epoch in progress. */
export function fractionDone(run: RunView): number {
  if (run.totalEpochs <= 0) return 0;
  if (run.status === 'completed') return 1;
  const progress = run.progress;
  const partial = progress !== null && progress.batchesPerEpoch > 0 ? progress.batch / progress.batchesPerEpoch : 0;
  return Math.min(1, (progress !== null ? progress.epoch + partial : run.epoch) / run.totalEpochs);
}

/** The evaluation ids a run's links name, in storage order. */
export function evaluationIdsOf(run: RunView): string[] {
  return Object.keys(run.links)
    .filter((key) => key.startsWith('evaluation:'))
    .map((key) => key.slice('evaluation:'.length));
}
