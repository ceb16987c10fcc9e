import { z } from 'zod';

/** How urgent a run is; the next free worker that qualifies takes a higher one first. */
export const JOB_PRIORITIES = ['high', 'normal', 'low'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export const jobPrioritySchema = z.enum(JOB_PRIORITIES);

/**
 * How a priority is written into BullMQ. A worker serves a queue's waiting list (front
 * first) before its prioritized set, so `normal` jobs wait in the list as they always
 * did, `high` ones join its front (LIFO), and `low` ones go to the prioritized set,
 * taken only when the list is empty.
 */
export function bullmqPriorityOptions(priority: JobPriority): { priority: number; lifo: boolean } {
  return { priority: priority === 'low' ? 1 : 0, lifo: priority === 'high' };
}

/** 0 for high, 1 normal, 2 low: the order of jobs the per-user cap holds back. */
export function priorityRank(priority: JobPriority): number {
  return JOB_PRIORITIES.indexOf(priority);
}

/** The priority a BullMQ job was added or changed with (the inverse of bullmqPriorityOptions). */
export function priorityOfJob(job: { priority: number; opts: { lifo?: boolean } }): JobPriority {
  if (job.priority > 0) return 'low';
  return job.opts.lifo === true ? 'high' : 'normal';
}
