import { hostname } from 'node:os';
import { type Job, WaitingChildrenError } from 'bullmq';
import type { Logger } from '../../shared/observability/logger.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import { FencedArtifactStore } from '../../shared/storage/fenced-artifact-store.ts';
import { StorageLease } from '../../shared/storage/storage-lease.ts';
import { controlSweep, type SweepControllerDeps } from '../../shared/sweep/sweep-controller.ts';
import { sweepPaths } from '../../shared/sweep/sweep-paths.ts';
import { SweepRepository } from '../../shared/sweep/sweep-repository.ts';

/**
 * The sweep processor: the sweep job is the parent of its trials' train jobs. Each time
 * a trial's job ends, BullMQ hands the sweep job back to a worker, which runs one more
 * controller pass and goes back to waiting for its children. It does no training itself,
 * so it runs in the worker process, not in a child. Each stint takes the sweep's lease and
 * writes only through it, so a controller whose job was handed to another worker (Redis
 * away longer than the lock, or the job lost and queued again) appends nothing more.
 */
export function createSweepProcessor(deps: Omit<SweepControllerDeps, 'runs'> & { logger: Logger }) {
  return async function processSweepJob(job: Job<{ sweepId: string }>, token?: string): Promise<{ status: string }> {
    const { sweepId } = job.data;
    const log = deps.logger.child({ sweepId, jobId: job.id });
    const lease = await StorageLease.take(deps.store, sweepPaths(sweepId).lease, { host: hostname(), pid: process.pid });
    const store = new FencedArtifactStore(deps.store, lease);
    const controller: SweepControllerDeps = { ...deps, store, runs: new RunRepository(store) };
    const sweeps = new SweepRepository(store);
    await sweeps.update(sweepId, (r) => (r.status === 'queued' ? { ...r, status: 'running' } : r));
    for (;;) {
      const step = await controlSweep(controller, sweepId, job);
      if (step.kind === 'done') {
        await sweeps.update(sweepId, (r) => ({ ...r, status: step.status, finishedAt: new Date().toISOString() }));
        log.info('sweep finished', { status: step.status });
        return { status: step.status };
      }
      if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
    }
  };
}
