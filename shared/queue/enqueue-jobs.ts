import type { Job, ParentOptions, Queue } from 'bullmq';
import type { EvaluateJob } from '../contracts/evaluate-job.ts';
import type { TrainJob } from '../contracts/train-job.ts';
import { TRAIN_JOB_OPTIONS } from './queue-settings.ts';

/*
 * The one way each kind of job enters its queue. Submitters (API, sweep controller, the
 * worker's evaluation after training) and the reconciler that rebuilds lost jobs from
 * storage all call these, so a recreated job is the job a submitter would have queued:
 * same deterministic id (BullMQ refuses a second job with an id it holds), same options.
 */

/** A controller pass that throws (storage briefly away) is tried again. */
const SWEEP_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 2000 } } as const;

/** A stretch of training of run `data.runId`: the run id itself, or a sweep trial's `<runId>-e<epochs>` with its sweep as parent. */
export function enqueueTrainJob(
  queue: Queue<TrainJob>,
  name: string,
  data: TrainJob,
  placement: { jobId: string; parent?: ParentOptions },
): Promise<Job<TrainJob>> {
  const childOptions = placement.parent === undefined ? {} : { parent: placement.parent, ignoreDependencyOnFailure: true };
  return queue.add(name, data, { ...TRAIN_JOB_OPTIONS, jobId: placement.jobId, ...childOptions });
}

/** An evaluation; its job id is the evaluation id. Not retried: it would fail the same way again. */
export function enqueueEvaluateJob(queue: Queue<EvaluateJob>, data: EvaluateJob): Promise<Job<EvaluateJob>> {
  return queue.add(`evaluate ${data.runId}`, data, {
    jobId: data.evalId,
    attempts: 1,
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  });
}

/** A sweep's controller job; its job id is the sweep id. */
export function enqueueSweepJob(queue: Queue<{ sweepId: string }>, name: string, sweepId: string): Promise<Job<{ sweepId: string }>> {
  return queue.add(name, { sweepId }, { jobId: sweepId, ...SWEEP_JOB_OPTIONS });
}
