import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { TrainProgress } from '../../shared/contracts/train-job.ts';
import type { RunSummary } from '../../shared/evaluation/run-summaries.ts';

/**
 * A run as `GET /api/v1/runs/:id` presents it; `progress` is BullMQ's 0 until the first
 * batch; `waitingFor` says why a queued run is not taken yet (labels, a per-user cap).
 */
export type RunView = RunRecord & { progress: TrainProgress | number | null; links: Record<string, string>; waitingFor?: string | null };

/** A row of the filtered, sorted runs listing. */
export type RunRow = RunView & RunSummary;

export function isActive(run: Pick<RunRecord, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** Epochs done as a fraction, counting the batches of the epoch in progress. */
export function fractionDone(run: RunView): number {
  if (run.totalEpochs <= 0) return 0;
  if (run.status === 'completed') return 1;
  const progress = liveProgress(run);
  const partial = progress !== null && progress.batchesPerEpoch > 0 ? progress.batch / progress.batchesPerEpoch : 0;
  return Math.min(1, (progress !== null ? progress.epoch + partial : run.epoch) / run.totalEpochs);
}

/** The batch-level progress of a running run, or null when there is none yet. */
export function liveProgress(run: RunView): TrainProgress | null {
  return run.status === 'running' && typeof run.progress === 'object' && run.progress !== null ? run.progress : null;
}

/** The evaluation ids a run's links name, in storage order. */
export function evaluationIdsOf(run: RunView): string[] {
  return Object.keys(run.links)
    .filter((key) => key.startsWith('evaluation:'))
    .map((key) => key.slice('evaluation:'.length));
}
