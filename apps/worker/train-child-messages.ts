import type { EpochMetrics } from '../../shared/contracts/run-record.ts';
import type { WebgpuAdapter } from '../../shared/ml/backend/webgpu-backend.ts';
import type { FailureReason } from '../../shared/observability/failure-reason.ts';

/**
 * The IPC protocol between the worker process (supervisor) and the child process that
 * trains. TF.js work is synchronous; keeping it in the child leaves the supervisor's
 * event loop free to renew the BullMQ lock and watch the cancel channel.
 */
export type SupervisorMessage =
  | { type: 'start'; runId: string; config: Record<string, unknown>; storage: string; leaseToken: string }
  | { type: 'stop'; reason: 'cancel' | 'preempt' };

export type ChildMessage =
  | { type: 'backend'; name: string; device: string; adapter?: WebgpuAdapter; threads: number | null; tfjsVersion: string }
  | { type: 'resumed'; epoch: number; batch: number }
  /** A problem that does not stop the run (a damaged checkpoint skipped), for the worker's log. */
  | { type: 'warning'; message: string }
  | { type: 'batch'; epoch: number; totalEpochs: number; batch: number; batchesPerEpoch: number; loss: number; imagesPerSecond: number }
  | { type: 'epoch'; record: EpochMetrics; epoch: number; totalEpochs: number; best: { epoch: number; metric: string; value: number } | null }
  | {
      type: 'done';
      status: 'completed' | 'early_stopped' | 'cancelled' | 'preempted';
      epochsCompleted: number;
    }
  /** `reason: 'lease_lost'`: another worker holds the run now (see StorageLease); this one wrote nothing more. */
  | { type: 'failed'; message: string; retryable: boolean; reason: FailureReason };
