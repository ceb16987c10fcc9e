import type { Job } from 'bullmq';
import type { FairShareGate } from '../routing/fair-share-gate.ts';

/** Job states in which no worker holds the job, so it can be removed outright. */
const WAITING_STATES: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed']);

/**
 * Removes a train job that no worker has taken, and its place in the submitter's fair
 * share. Returns false when there is no job, a worker holds it (it stops between batches
 * on the cancel channel instead), or another process removed it first.
 */
export async function cancelQueuedJob(job: Job | undefined, fairShare: FairShareGate, submittedBy: string): Promise<boolean> {
  if (job === undefined || !WAITING_STATES.has(await job.getState())) return false;
  const removed = await job.remove().then(
    () => true,
    () => false,
  );
  if (removed) await fairShare.forget(submittedBy, job.queueName, job.id!);
  return removed;
}

/** Whether a job in `state` waits for a worker. */
export function isWaitingState(state: string): boolean {
  return WAITING_STATES.has(state);
}
