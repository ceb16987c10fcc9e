import type { Job, Queue } from 'bullmq';
import { sweepJobSchema, type SweepJob } from '../contracts/sweep-job.ts';
import { parseJobPayload } from './job-payload.ts';

/** A controller pass that throws (storage briefly away) is tried again. */
const SWEEP_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 2000 } } as const;

/**
 * Queues a sweep's controller job, whose id is the sweep id: the one way it is created, by
 * the API and by the reconciler that rebuilds lost jobs from storage (BullMQ refuses a
 * second job with an id it holds).
 */
export function enqueueSweepJob(queue: Queue<SweepJob>, name: string, sweepId: string): Promise<Job<SweepJob>> {
  return queue.add(name, parseJobPayload(sweepJobSchema, { sweepId }, `sweep job ${sweepId}`), { jobId: sweepId, ...SWEEP_JOB_OPTIONS });
}
