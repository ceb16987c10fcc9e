import type { Job } from 'bullmq';

type Processor<Data, Result> = (job: Job<Data>, token?: string) => Promise<Result>;

/**
 * Wraps the train processor so that a sweep trial's end wakes its controller as soon as the
 * run record says so, before BullMQ acknowledges the job: the controller pass then overlaps
 * the acknowledgement, and the trial it queues is already waiting when this worker asks for
 * its next job. Safe because the controller reads only storage, which the processor has
 * written by now. A processor that threw is announced by the Worker's `failed` event; the
 * sweep job completes only after its last trial job is acknowledged (sweep-processor.ts).
 */
export function announcingTrialEnd<Data, Result>(processor: Processor<Data, Result>, trialEnded: (sweepJobId: string) => void): Processor<Data, Result> {
  return async (job, token) => {
    const result = await processor(job, token);
    const sweepJobId = job.parent?.id;
    if (sweepJobId !== undefined) trialEnded(sweepJobId);
    return result;
  };
}
