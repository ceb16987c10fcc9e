import { z } from 'zod';
import { evaluateJobSchema } from '../../shared/contracts/evaluate-job.ts';
import type { ChildHealth } from './tf-state-guard.ts';

/**
 * The IPC protocol between the worker process and its warm evaluate child. The start
 * message is checked with its schema where it is built and where it arrives, as the
 * training child's is: a bad message is a bug to name, not to run.
 */
/** The job, the storage location, and the lease its writes are fenced by. */
const startSchema = z.object({ type: z.literal('start'), job: evaluateJobSchema, storage: z.string().min(1), leaseToken: z.string().min(1) });
const evaluateSupervisorMessageSchema = z.discriminatedUnion('type', [
  startSchema,
  /** Asked before each job: the child answers `pong` (see WarmChild). */
  z.object({ type: z.literal('ping') }),
]);
export type EvaluateSupervisorMessage = z.infer<typeof evaluateSupervisorMessageSchema>;
export type EvaluateChildStart = z.infer<typeof startSchema>;

export type EvaluateChildMessage =
  | { type: 'pong' }
  | { type: 'progress'; scored: number; total: number }
  /** `health`: whether this child may take the next job (see WarmChild). */
  | { type: 'done'; health: ChildHealth }
  | { type: 'failed'; message: string };

/** What the child received, checked. */
export function parseEvaluateSupervisorMessage(raw: unknown): EvaluateSupervisorMessage {
  return checked(evaluateSupervisorMessageSchema, raw);
}

/** The start message the worker sends, checked before it goes. */
export function evaluateChildStart(fields: Omit<EvaluateChildStart, 'type'>): EvaluateChildStart {
  return checked(startSchema, { ...fields, type: 'start' });
}

function checked<Schema extends z.ZodType>(schema: Schema, raw: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`evaluate child: malformed message from the worker: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}
