import type { JobsOptions } from 'bullmq';
import { bullmqPriorityOptions, type JobPriority, priorityRank } from '../contracts/job-priority.ts';
import { FairShareGate, HOLD_DELAY_MS } from './fair-share-gate.ts';
import { routedQueueName, type RoutedKind } from './routed-queue-name.ts';
import type { RoutedQueues } from './routed-queues.ts';

/** Where routed jobs go: the queues per requirement set and the per-user gate in front of them. */
export interface RoutingDeps {
  queues: RoutedQueues;
  fairShare: FairShareGate;
  /**
   * The per-user cap as the caller read it at the start of a short pass (a sweep controller's,
   * side by side with its other reads), so queuing a job does not wait for it; read at every
   * add when absent.
   */
  cap?: number | null;
}

/** What decides which worker takes a job and when. */
export interface JobRouting {
  /** Labels the worker must have; none means any worker. */
  requires: readonly string[];
  priority: JobPriority;
  /** The API token's name, `anonymous` when the API runs open. */
  submittedBy: string;
}

/** Who submitted a job when the API runs without tokens. */
export const ANONYMOUS = 'anonymous';

/**
 * Adds a train or evaluate job to the queue its requirements name, with its priority,
 * and, when AELAB_MAX_RUNNING_PER_USER is in force, parked behind the per-user gate.
 * The submitter goes into the job's data and name, so Bull Board shows it. Every
 * producer of routed jobs (API, sweep controllers, automatic evaluations) comes through
 * here, so they all route alike.
 */
export async function enqueueRoutedJob<Data extends object>(
  deps: RoutingDeps,
  kind: RoutedKind,
  routing: JobRouting,
  job: { name: string; data: Data; options: JobsOptions & { jobId: string } },
): Promise<void> {
  const cap = deps.cap === undefined ? await deps.fairShare.cap() : deps.cap;
  const held = cap === null ? {} : { delay: HOLD_DELAY_MS };
  const data = { ...job.data, submittedBy: routing.submittedBy };
  await deps.queues.add(kind, routing.requires, `${job.name} (${routing.submittedBy})`, data, { ...job.options, ...bullmqPriorityOptions(routing.priority), ...held });
  if (cap !== null) await deps.fairShare.hold(routing.submittedBy, routedQueueName(kind, routing.requires), job.options.jobId, priorityRank(routing.priority));
}
