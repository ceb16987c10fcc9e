import type { Job } from 'bullmq';
import type { RunRecord } from '../contracts/run-record.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { sweepOfTrialRun, trialJobId } from './sweep-paths.ts';
import { TrialLog } from './trial-log.ts';
import type { RoutingDeps } from '../routing/enqueue-routed-job.ts';

/**
 * The train job that carries a run now, in the queue its requirements name. A run's own
 * job has the run's id; a sweep trial's has the id of its current stretch (one job per
 * budget the controller gave it), read from the sweep's trial log. Undefined when none
 * exists (finished and removed, or not queued yet).
 */
export async function currentTrainJob(deps: { routing: RoutingDeps; store: ArtifactStore }, run: Pick<RunRecord, 'id' | 'requires'>): Promise<Job | undefined> {
  const queue = deps.routing.queues.of('train', run.requires ?? []);
  const sweepId = sweepOfTrialRun(run.id);
  const trial = sweepId === null ? undefined : (await new TrialLog(deps.store, sweepId).trials()).find((t) => t.runId === run.id);
  return queue.getJob(sweepId === null || trial === undefined ? run.id : trialJobId(sweepId, trial.index, trial.budget));
}
