import { DelayedError, type Job, WaitingChildrenError, WaitingError } from 'bullmq';
import { failureReasonOf } from '../../shared/observability/failure-reason.ts';
import type { WorkerMetrics } from '../../shared/observability/worker-metrics.ts';

/**
 * Wraps a BullMQ processor so that every stint on a job is timed and every failure is
 * counted by reason. A job handed back to the queue (preempted, waiting for its
 * children) is `requeued`, not failed.
 */
export function measuredProcessor<Data, Result>(
  queue: string,
  metrics: WorkerMetrics,
  processor: (job: Job<Data>, token?: string) => Promise<Result>,
): (job: Job<Data>, token?: string) => Promise<Result> {
  return async (job, token) => {
    const startedAt = performance.now();
    const seconds = () => (performance.now() - startedAt) / 1000;
    try {
      const result = await processor(job, token);
      metrics.jobFinished(queue, 'completed', seconds());
      return result;
    } catch (error) {
      if (error instanceof WaitingError || error instanceof WaitingChildrenError || error instanceof DelayedError) {
        metrics.jobFinished(queue, 'requeued', seconds());
      } else {
        metrics.jobFinished(queue, 'failed', seconds());
        metrics.jobFailed(queue, failureReasonOf(error));
      }
      throw error;
    }
  };
}
