import type { Job, Queue } from 'bullmq';

/** A controller pass that throws (storage briefly away) is tried again. */
const SWEEP_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 2000 } } as const;

/**
 * Queues a sweep's controller job, whose id is the sweep id: the one way it is created, by
 * the API and by the reconciler that rebuilds lost jobs from storage (BullMQ refuses a
 * second job with an id it holds).
 */
export function enqueueSweepJob(queue: Queue<{ sweepId: string }>, name: string, sweepId: string): Promise<Job<{ sweepId: string }>> {
  return queue.add(name, { sweepId }, { jobId: sweepId, ...SWEEP_JOB_OPTIONS });
}
