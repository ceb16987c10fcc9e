import { z } from 'zod';
import type { EpochMetrics } from '../../shared/contracts/run-record.ts';
import type { WebgpuAdapter } from '../../shared/ml/backend/webgpu-backend.ts';
import type { FailureReason } from '../../shared/observability/failure-reason.ts';
import type { ChildHealth } from './tf-state-guard.ts';

/**
 * The IPC protocol between the worker process (supervisor) and its warm training child.
 * TF.js work is synchronous; keeping it in the child leaves the supervisor's event loop
 * free to renew the BullMQ lock and watch the cancel channel.
 */
const supervisorMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), runId: z.string().min(1), config: z.record(z.string(), z.unknown()), storage: z.string().min(1), leaseToken: z.string().min(1) }),
  z.object({ type: z.literal('stop'), reason: z.enum(['cancel', 'preempt']) }),
  /** Asked before each job: the child answers `pong` (see WarmChild). */
  z.object({ type: z.literal('ping') }),
]);
export type SupervisorMessage = z.infer<typeof supervisorMessageSchema>;
export type TrainStart = Extract<SupervisorMessage, { type: 'start' }>;

/** The child checks what it is sent as the worker checks a job's payload: a bad message is a bug to name, not to run. */
export function parseSupervisorMessage(raw: unknown): SupervisorMessage {
  const parsed = supervisorMessageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`training child: malformed message from the worker: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

export type ChildMessage =
  | { type: 'pong' }
  | { type: 'backend'; name: string; device: string; adapter?: WebgpuAdapter; threads: number | null; tfjsVersion: string }
  | { type: 'resumed'; epoch: number; batch: number }
  /** A problem that does not stop the run (a damaged checkpoint skipped), for the worker's log. */
  | { type: 'warning'; message: string }
  | { type: 'batch'; epoch: number; totalEpochs: number; batch: number; batchesPerEpoch: number; loss: number; imagesPerSecond: number }
  /** An epoch's record is in metrics.jsonl; its checkpoints are written next, then `epoch` follows. */
  | { type: 'recorded'; epoch: number; totalEpochs: number }
  | { type: 'epoch'; record: EpochMetrics; epoch: number; totalEpochs: number; best: { epoch: number; metric: string; value: number } | null }
  | {
      type: 'done';
      status: 'completed' | 'early_stopped' | 'cancelled' | 'preempted';
      epochsCompleted: number;
      /** Whether this child may take the next job (see WarmChild). */
      health: ChildHealth;
    }
  /** `reason: 'lease_lost'`: another worker holds the run now (see StorageLease); this one wrote nothing more. A failed job's child is replaced. */
  | { type: 'failed'; message: string; retryable: boolean; reason: FailureReason };

export type TrainOutcome = Extract<ChildMessage, { type: 'done' | 'failed' }>;

export function isTrainOutcome(message: ChildMessage): message is TrainOutcome {
  return message.type === 'done' || message.type === 'failed';
}
