import { z } from 'zod';

/** How urgent a run is; the next free worker that qualifies takes a higher one first. */
export const JOB_PRIORITIES = ['high', 'normal', 'low'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export const jobPrioritySchema = z.enum(JOB_PRIORITIES);

/**
 * BullMQ's number for a priority (1 is taken first). Every level is a positive number:
 * BullMQ serves its plain waiting list before its prioritized set, so `normal` must be
 * prioritized too for `high` to overtake it.
 */
export function bullmqPriorityOf(priority: JobPriority): number {
  return JOB_PRIORITIES.indexOf(priority) + 1;
}
