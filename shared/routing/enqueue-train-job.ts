import { trainJobSchema, type TrainJob } from '../contracts/train-job.ts';
import { parseJobPayload } from '../queue/job-payload.ts';
import { TRAIN_JOB_OPTIONS } from '../queue/queue-settings.ts';
import { enqueueRoutedJob, type JobRouting, type RoutingDeps } from './enqueue-routed-job.ts';

/**
 * Queues the training of a run: the one way a train job is created (API submissions,
 * sweep trials, re-creation of lost jobs). The job id is the run id unless a sweep gives
 * each stretch of a trial its own; `parent` makes it a child of a sweep job.
 */
export async function enqueueTrainJob(
  deps: RoutingDeps,
  job: { runId: string; name: string; config: Record<string, unknown>; routing: JobRouting; jobId?: string; parent?: { id: string; queue: string } },
): Promise<void> {
  const data: TrainJob = parseJobPayload(trainJobSchema, { runId: job.runId, config: job.config, submittedBy: job.routing.submittedBy }, `train job of run ${job.runId}`);
  const family = job.parent === undefined ? {} : { parent: job.parent, ignoreDependencyOnFailure: true };
  await enqueueRoutedJob(deps, 'train', job.routing, { name: job.name, data, options: { ...TRAIN_JOB_OPTIONS, jobId: job.jobId ?? job.runId, ...family } });
}
