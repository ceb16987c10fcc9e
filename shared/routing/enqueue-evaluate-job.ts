import { evaluateJobSchema, type EvaluateJob } from '../contracts/evaluate-job.ts';
import { parseJobPayload } from '../queue/job-payload.ts';
import { enqueueRoutedJob, type JobRouting, type RoutingDeps } from './enqueue-routed-job.ts';

/**
 * Queues an evaluation, routed like any job; its job id is the evaluation id. The one way
 * an evaluate job is created (submissions and the reconciler). Not retried: it would fail
 * the same way again.
 */
export async function enqueueEvaluateJob(deps: RoutingDeps, data: EvaluateJob, routing: JobRouting): Promise<void> {
  await enqueueRoutedJob(deps, 'evaluate', routing, {
    name: `evaluate ${data.runId}`,
    data: parseJobPayload(evaluateJobSchema, data, `evaluate job ${data.evalId}`),
    options: { jobId: data.evalId, attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
  });
}
