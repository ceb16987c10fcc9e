import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { EvaluateJob } from '../contracts/evaluate-job.ts';
import { enqueueEvaluateJob } from '../queue/enqueue-jobs.ts';
import type { EvaluationRecord } from './evaluation-record.ts';
import type { EvaluationRepository } from './evaluation-repository.ts';

/** Records an evaluation and queues its job; used by the API and by the worker after training. */
export async function submitEvaluation(
  deps: { evaluations: EvaluationRepository; evaluateQueue: Queue<EvaluateJob> },
  request: { runId: string; checkpoint: 'best' | 'latest'; tasks: string[]; evalId?: string },
): Promise<EvaluationRecord> {
  const evalId = request.evalId ?? `e${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
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
  };
  await deps.evaluations.create(record);
  await enqueueEvaluateJob(deps.evaluateQueue, { evalId, runId: request.runId, checkpoint: request.checkpoint, tasks: request.tasks });
  return record;
}
