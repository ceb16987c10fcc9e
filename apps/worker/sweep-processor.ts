import { hostname } from 'node:os';
import { type Job, WaitingError } from 'bullmq';
import { sweepJobSchema, type SweepJob } from '../../shared/contracts/sweep-job.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { takenJobPayload } from '../../shared/queue/job-payload.ts';
import type { TrialEndSignal } from '../../shared/queue/trial-end-signal.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import { FencedArtifactStore } from '../../shared/storage/fenced-artifact-store.ts';
import { StorageLease } from '../../shared/storage/storage-lease.ts';
import { controlSweep, rememberSweep, type SweepControllerDeps } from '../../shared/sweep/sweep-controller.ts';
import { sweepPaths } from '../../shared/sweep/sweep-paths.ts';
import { SweepRepository } from '../../shared/sweep/sweep-repository.ts';

/**
 * How long a controller waits for a trial's signal before it looks at storage (or the queue)
 * anyway: a missed signal, a cancel request.
 */
const RECHECK_MS = 2_000;

export interface SweepProcessorDeps extends Omit<SweepControllerDeps, 'runs'> {
  logger: Logger;
  trialEnds: TrialEndSignal;
  /** True once the worker was asked to shut down: the sweep job goes back to the queue for another worker. */
  shuttingDown: () => boolean;
}

/**
 * The sweep processor: the sweep job is the parent of its trials' train jobs and stays
 * active while they run, one controller pass after each trial end it hears of (TrialEndSignal),
 * so that the next trial is queued milliseconds after a slot frees. It does no training
 * itself, so it runs in the worker process, not in a child. It holds the sweep's lease and
 * writes only through it, so a controller whose job was handed to another worker (Redis away
 * longer than the lock, or the job lost and queued again) appends nothing more.
 */
export function createSweepProcessor(deps: SweepProcessorDeps) {
  return async function processSweepJob(job: Job<SweepJob>, token?: string): Promise<{ status: string }> {
    const { sweepId } = takenJobPayload(sweepJobSchema, job);
    const log = deps.logger.child({ sweepId, jobId: job.id });
    const lease = await StorageLease.take(deps.store, sweepPaths(sweepId).lease, { host: hostname(), pid: process.pid });
    const store = new FencedArtifactStore(deps.store, lease);
    const controller: SweepControllerDeps = { ...deps, store, runs: new RunRepository(store) };
    const sweeps = new SweepRepository(store);
    await sweeps.update(sweepId, (r) => (r.status === 'queued' ? { ...r, status: 'running' } : r));
    // Read once for all its passes: while this job is active its controller is the trial log's only writer.
    const memory = await rememberSweep(store, sweepId);
    for (;;) {
      // Taken before the pass: a trial that ends during it wakes the next one at once.
      const heard = deps.trialEnds.heard(job.id ?? sweepId);
      const passStarted = performance.now();
      const step = await controlSweep(controller, sweepId, job, memory);
      log.debug('controller pass', { step: step.kind, ms: Math.round(performance.now() - passStarted) });
      if (step.kind === 'done' && (await trialJobsAcknowledged(job, job.id ?? sweepId, deps))) {
        await sweeps.update(sweepId, (r) => ({ ...r, status: step.status, finishedAt: new Date().toISOString() }));
        log.info('sweep finished', { status: step.status });
        return { status: step.status };
      }
      if (step.kind === 'wait') await deps.trialEnds.next(job.id ?? sweepId, heard, RECHECK_MS);
      if (deps.shuttingDown()) {
        log.info('worker shutting down: the sweep job goes back to the queue');
        await job.moveToWait(token);
        throw new WaitingError();
      }
    }
  };
}

/**
 * True once no trial job of the sweep is waiting or active in BullMQ: a parent with such
 * children cannot complete, and the last trial's end is announced before its job is
 * acknowledged (trial-end-announcer.ts), milliseconds before. The queue is asked again
 * each time a worker announces an acknowledgement. A job whose worker died is taken again
 * by the stalled-job check and closes at once, its run being completed. False when the
 * worker starts shutting down meanwhile: the sweep job goes back to the queue.
 */
async function trialJobsAcknowledged(job: Job, sweepJobId: string, deps: Pick<SweepProcessorDeps, 'trialEnds' | 'shuttingDown'>): Promise<boolean> {
  while (!deps.shuttingDown()) {
    const heard = deps.trialEnds.heard(sweepJobId, 'acknowledged');
    const { unprocessed } = await job.getDependenciesCount({ unprocessed: true });
    if ((unprocessed ?? 0) === 0) return true;
    await deps.trialEnds.next(sweepJobId, heard, RECHECK_MS, 'acknowledged');
  }
  return false;
}
