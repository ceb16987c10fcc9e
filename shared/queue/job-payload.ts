import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';

/** A job payload its schema refuses; the message names each bad field. */
export class JobPayloadError extends Error {}

/**
 * Checks a job's payload against its schema where it is queued and again where it is
 * taken: a job written by another version, or by hand into Redis, fails naming the field
 * instead of failing somewhere deep in training.
 */
export function parseJobPayload<Schema extends z.ZodType>(schema: Schema, data: unknown, what: string): z.infer<Schema> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
  throw new JobPayloadError(`${what}: malformed payload: ${problems.join('; ')}`);
}

/** The payload of a job a worker took; a malformed one fails the job for good (a retry would read the same payload). */
export function takenJobPayload<Schema extends z.ZodType>(schema: Schema, job: { id?: string; queueName: string; data: unknown }): z.infer<Schema> {
  try {
    return parseJobPayload(schema, job.data, `${job.queueName} job ${job.id ?? '(no id)'}`);
  } catch (error) {
    throw error instanceof JobPayloadError ? new UnrecoverableError(error.message) : error;
  }
}
