import type { Job } from 'bullmq';
import { submitterOf } from './fair-share-gate.ts';
import type { RoutingDeps } from './enqueue-routed-job.ts';
import { parseRoutedQueueName } from './routed-queue-name.ts';

/** Workers per queue, counted once for a whole page of runs. */
export type WorkerCounts = Map<string, Promise<number>>;

/**
 * Why a queued job has not started, in words for `waitingFor`: held by the per-user cap
 * (`user alice has 1 running (AELAB_MAX_RUNNING_PER_USER=1)`), no worker with the labels
 * it requires (`a worker with labels gpu`), or every such worker busy. Null when it is
 * not waiting (running, finished, or delayed before a retry).
 */
export async function waitingReason(deps: RoutingDeps, job: Job, workerCounts: WorkerCounts = new Map()): Promise<string | null> {
  const state = await job.getState();
  if (state === 'delayed') {
    const user = submitterOf(job);
    return user === null || job.id === undefined ? null : deps.fairShare.heldReason(user, job.queueName, job.id);
  }
  if (state !== 'waiting' && state !== 'prioritized') return null;
  const requires = parseRoutedQueueName(job.queueName)?.requires ?? [];
  const wanted = requires.length === 0 ? 'a worker' : `a worker with labels ${requires.join(',')}`;
  // BullMQ names every worker's connection after its queue; CLIENT LIST counts them.
  let counted = workerCounts.get(job.queueName);
  if (counted === undefined) {
    counted = deps.queues.named(job.queueName).getWorkersCount();
    workerCounts.set(job.queueName, counted);
  }
  const workers = await counted;
  if (workers === 0) return wanted;
  return `${wanted} to be free (${workers} can take it, all busy or taking jobs ahead of it)`;
}
