import { type Job, WaitingChildrenError } from 'bullmq';
import type { Logger } from '../../shared/observability/logger.ts';
import { controlSweep, type SweepControllerDeps } from '../../shared/sweep/sweep-controller.ts';
import type { SweepRepository } from '../../shared/sweep/sweep-repository.ts';

/**
 * The sweep processor: the sweep job is the parent of its trials' train jobs. Each time
 * a trial's job ends, BullMQ hands the sweep job back to a worker, which runs one more
 * controller pass and goes back to waiting for its children. It does no training itself,
 * so it runs in the worker process, not in a child.
 */
export function createSweepProcessor(deps: SweepControllerDeps & { sweeps: SweepRepository; logger: Logger }) {
  return async function processSweepJob(job: Job<{ sweepId: string }>, token?: string): Promise<{ status: string }> {
    const { sweepId } = job.data;
    const log = deps.logger.child({ sweepId, jobId: job.id });
    await deps.sweeps.update(sweepId, (r) => (r.status === 'queued' ? { ...r, status: 'running' } : r));
    for (;;) {
      const step = await controlSweep(deps, sweepId, job);
      if (step.kind === 'done') {
        await deps.sweeps.update(sweepId, (r) => ({ ...r, status: step.status, finishedAt: new Date().toISOString() }));
        log.info('sweep finished', { status: step.status });
        return { status: step.status };
      }
      if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
    }
  };
}
