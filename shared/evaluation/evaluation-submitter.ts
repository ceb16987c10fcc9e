import type { EvaluateJob } from '../contracts/evaluate-job.ts';
import type { JobRouting, RoutingDeps } from '../routing/enqueue-routed-job.ts';
import { enqueueEvaluateJob } from '../routing/enqueue-evaluate-job.ts';
import { newEvaluationId } from '../runs/new-run-id.ts';
import type { EvaluationRecord } from './evaluation-record.ts';
import type { EvaluationRepository } from './evaluation-repository.ts';

/**
 * Records an evaluation and queues its job, routed like any job (requirements, priority,
 * submitter's share): the one way an evaluate job is created, by the API and by the
 * worker after training.
 */
export async function submitEvaluation(
  deps: RoutingDeps & { evaluations: EvaluationRepository },
  request: { runId: string; checkpoint: 'best' | 'latest'; tasks: string[]; evalId?: string; routing: JobRouting },
): Promise<EvaluationRecord> {
  const evalId = request.evalId ?? newEvaluationId();
  const existing = await deps.evaluations.get(evalId);
  if (existing !== null) return existing;
  const record: EvaluationRecord = {
    id: evalId,
    runId: request.runId,
    checkpoint: request.checkpoint,
    tasks: request.tasks,
    status: 'queued',
    createdAt: new Date().toISOString(),
    finishedAt: null,
    error: null,
    scored: 0,
    total: 0,
    routing: request.routing,
  };
  await deps.evaluations.create(record);
  const data: EvaluateJob = { evalId, runId: request.runId, checkpoint: request.checkpoint, tasks: request.tasks };
  await enqueueEvaluateJob(deps, data, request.routing);
  return record;
}
