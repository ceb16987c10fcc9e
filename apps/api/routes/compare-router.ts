import { Router } from 'express';
import { z } from 'zod';
import { COMPARABLE_METRICS, compareRuns, tableAsCsv, tableAsMarkdown } from '../../../shared/evaluation/compare-runs.ts';
import type { RunRepository } from '../../../shared/runs/run-repository.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { TrialLog } from '../../../shared/sweep/trial-log.ts';
import { isRedisUnavailable } from '../../../shared/queue/redis-unavailable.ts';
import { HttpError } from '../http-error.ts';
import { parseOr400 } from '../zod-http.ts';
import { systemErrorCode } from '../../../shared/errors/system-error-code.ts';

const querySchema = z
  .strictObject({
    runs: z
      .string()
      .min(1)
      .transform((value) => value.split(',').map((id) => id.trim()).filter((id) => id.length > 0))
      .refine((ids) => ids.length > 0 && ids.length <= 500 && ids.every((id) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id)), 'expected a comma-separated list of run ids')
      .optional(),
    sweep: z.string().regex(/^s[A-Za-z0-9_-]{1,127}$/, 'expected a sweep id').optional(),
    metric: z.enum(COMPARABLE_METRICS).default('auroc'),
    format: z.enum(['json', 'markdown', 'csv']).default('json'),
  })
  .refine((query) => (query.runs === undefined) !== (query.sweep === undefined), { message: 'give exactly one of "runs" or "sweep"', path: ['runs'] });

/** `GET /api/v1/compare?runs=a,b,c` or `?sweep=<id>`, `&metric=auroc&format=markdown`: the methods × tasks table. */
export function compareRouter(deps: { store: ArtifactStore; runs: RunRepository }): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const query = parseOr400(querySchema, request.query, 'query');
    let table;
    try {
      const runIds = query.runs ?? (await new TrialLog(deps.store, query.sweep!).trials()).map((trial) => trial.runId);
      if (runIds.length === 0) throw new Error(`sweep ${query.sweep} has no trials`);
      table = await compareRuns(deps.store, deps.runs, runIds, query.metric);
    } catch (error) {
      // Storage or Redis failing is the server's problem, not the query's.
      if (hasSystemErrorCode(error) || isRedisUnavailable(error)) throw error;
      const field = query.sweep === undefined ? 'query.runs' : 'query.sweep';
      throw new HttpError(400, `${field}: ${error instanceof Error ? error.message : String(error)}`, { field });
    }
    if (query.format === 'markdown') response.type('text/markdown').send(`${tableAsMarkdown(table)}\n`);
    else if (query.format === 'csv') response.type('text/csv').send(`${tableAsCsv(table)}\n`);
    else response.json(table);
  });
  return router;
}

function hasSystemErrorCode(error: unknown): boolean {
  return /^E[A-Z]+$/.test(systemErrorCode(error) ?? '');
}
