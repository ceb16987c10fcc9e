import { Router, type Request } from 'express';
import { parseExperimentConfigText } from '../../../shared/config/load-experiment-config.ts';
import { evaluationRequestSchema } from '../../../shared/contracts/evaluate-job.ts';
import { canonicalLabels } from '../../../shared/contracts/worker-labels.ts';
import type { EvaluationRecord } from '../../../shared/evaluation/evaluation-record.ts';
import type { EvaluationRepository } from '../../../shared/evaluation/evaluation-repository.ts';
import { submitEvaluation } from '../../../shared/evaluation/evaluation-submitter.ts';
import type { RoutingDeps } from '../../../shared/routing/enqueue-routed-job.ts';
import type { RunRepository } from '../../../shared/runs/run-repository.ts';
import { apiUserOf } from '../bearer-auth.ts';
import { HttpError } from '../http-error.ts';
import { jsonBodyOf, parseOr400 } from '../zod-http.ts';

const EVAL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** `/api/v1/evaluations`: score a run's checkpoint on its downstream tasks. */
export function evaluationsRouter(deps: RoutingDeps & { runs: RunRepository; evaluations: EvaluationRepository }): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    const body = parseOr400(evaluationRequestSchema, jsonBodyOf(request), 'body');
    const run = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(body.runId) ? await deps.runs.get(body.runId) : null;
    if (run === null) throw new HttpError(400, `body.runId: no run ${JSON.stringify(body.runId)}`, { field: 'body.runId' });
    const { config } = parseExperimentConfigText(await deps.runs.configYaml(run.id), `runs/${run.id}/config.yaml`);
    const known = Object.keys(config.downstreamTasks);
    const tasks = body.tasks ?? known;
    if (tasks.length === 0) throw new HttpError(400, `body.tasks: run ${run.id} has no downstream_tasks in its config`, { field: 'body.tasks' });
    const unknown = tasks.filter((task) => !known.includes(task));
    if (unknown.length > 0) {
      const listed = unknown.map((task) => JSON.stringify(task)).join(', ');
      throw new HttpError(400, `body.tasks: run ${run.id} has no task ${listed}; its tasks: ${known.join(', ') || 'none'}`, { field: 'body.tasks' });
    }
    // The run's requirements and priority unless the request names its own requirements.
    const routing = { requires: canonicalLabels(body.requires ?? run.requires ?? []), priority: run.priority ?? 'normal', submittedBy: apiUserOf(response) };
    const record = await submitEvaluation(deps, { runId: run.id, checkpoint: body.checkpoint, tasks, routing });
    response.status(202).location(`/api/v1/evaluations/${record.id}`).json(await present(record, request));
  });

  router.get('/:id', async (request, response) => {
    const record = EVAL_ID.test(request.params.id) ? await deps.evaluations.get(request.params.id) : null;
    if (record === null) throw new HttpError(404, `evaluation ${request.params.id} not found`);
    response.json(await present(record, request));
  });

  async function present(record: EvaluationRecord, request: Request) {
    const base = `${request.baseUrl.replace(/\/evaluations$/, '')}/runs/${record.runId}/artifacts/eval/${record.id}`;
    const results = record.status === 'completed' ? await deps.evaluations.results(record) : null;
    return {
      ...record,
      results: results?.map((task) => ({ ...task, pictures: task.pictures.map((picture) => `${base}/${picture}`) })) ?? null,
      links: { results: `${base}/results.json`, scores: `${base}/scores.csv` },
    };
  }

  return router;
}
