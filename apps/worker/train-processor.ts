import { hostname } from 'node:os';
import { type Job, WaitingError } from 'bullmq';
import { trainJobSchema, type TrainJob, type TrainJobResult } from '../../shared/contracts/train-job.ts';
import { takenJobPayload } from '../../shared/queue/job-payload.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { StorageLease } from '../../shared/storage/storage-lease.ts';
import type { ChildMessage, SupervisorMessage } from './train-child-messages.ts';
import { TrainSupervisor, type TrainSupervisorDeps } from './train-supervisor.ts';
import { childMaxRssMb, WarmChild } from './warm-child.ts';
import { entryNextTo } from '../../shared/process/node-entry.ts';

const CHILD_ENTRY = entryNextTo(import.meta.url, 'train-child');

export type TrainProcessorDeps = TrainSupervisorDeps;

/**
 * The train processor: it runs the training in a warm child process (the sandbox, reused
 * job after job and replaced when a job leaves it unfit) and supervises it — progress to BullMQ and run.json, cancel requests from Redis, and on
 * shutdown a preemption that writes a checkpoint and hands the job back to the queue
 * at once.
 */
export function createTrainProcessor(deps: TrainProcessorDeps) {
  const maxRssMb = childMaxRssMb();
  const children = new WarmChild<SupervisorMessage, ChildMessage>(CHILD_ENTRY, deps.logger);
  children.prepare();
  return async function processTrainJob(job: Job<TrainJob>, token?: string): Promise<TrainJobResult> {
    const { runId, config } = takenJobPayload(trainJobSchema, job);
    const log = deps.logger.child({ runId, jobId: job.id });
    if (deps.shuttingDown()) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    // Both before the run is marked running, side by side: each is a round trip on a trial's hand-out path.
    const [stored, cancelRequested] = await Promise.all([deps.runs.get(runId), deps.cancel.isRequested(runId)]);
    if (stored?.status === 'completed') {
      // The job of a run that finished while Redis was away comes back as stalled: nothing is left to do.
      log.info('run already completed; the job is closed without training');
      return { status: 'completed', epochsCompleted: stored.epoch, stoppedEarly: stored.stoppedEarly };
    }
    if (cancelRequested) {
      await deps.runs.markCancelled(runId);
      return { status: 'cancelled', epochsCompleted: 0, stoppedEarly: false };
    }
    const record = await deps.runs.markRunning(runId, { host: hostname(), pid: process.pid }, stored ?? undefined);
    // Taken after run.json says running: from here on, an earlier holder of this run writes nothing.
    const lease = await StorageLease.take(deps.store, runPaths(runId).lease, { host: hostname(), pid: process.pid });
    log.info('train job started', { attempt: record.attempts });
    return new TrainSupervisor(deps, children, maxRssMb, { job, token, runId, config, lease, log, attempt: record.attempts }).supervise();
  };
}
