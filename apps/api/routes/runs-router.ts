import { stat } from 'node:fs/promises';
import { Router, type Request } from 'express';
import type { Job } from 'bullmq';
import { z } from 'zod';
import { bullmqPriorityOptions, jobPrioritySchema, priorityRank } from '../../../shared/contracts/job-priority.ts';
import { RUN_STATUSES, type RunRecord } from '../../../shared/contracts/run-record.ts';
import { runSubmissionSchema } from '../../../shared/contracts/run-submission.ts';
import type { CancelChannel } from '../../../shared/queue/cancel-channel.ts';
import type { IdempotencyKeys } from '../../../shared/queue/idempotency-keys.ts';
import { currentTrainJob } from '../../../shared/sweep/current-train-job.ts';
import type { RoutingDeps } from '../../../shared/routing/enqueue-routed-job.ts';
import { waitingReason, type WorkerCounts } from '../../../shared/routing/waiting-reason.ts';
import { cancelQueuedJob, isWaitingState } from '../../../shared/runs/cancel-queued-job.ts';
import type { RunRepository } from '../../../shared/runs/run-repository.ts';
import { RUN_SORT_KEYS, type RunIndex } from '../../../shared/runs/run-index.ts';
import type { RunSummaries } from '../../../shared/evaluation/run-summaries.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { apiUserOf } from '../bearer-auth.ts';
import { HttpError } from '../http-error.ts';
import type { RunSubmitter } from '../run-submitter.ts';
import { jsonBodyOf, parseOr400 } from '../zod-http.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

// Strict: a misspelt parameter (`?limt=5`) is named, not silently ignored.
const listQuerySchema = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  model: z.string().min(1).max(128).optional(),
  q: z.string().max(256).optional(),
  sort: z.enum(RUN_SORT_KEYS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

const priorityChangeSchema = z.strictObject({ priority: jobPrioritySchema });

/** States in which a job waits for a worker (or for the per-user cap) and may be removed or reprioritized. */

export interface RunsRouterDeps {
  runs: RunRepository;
  /** Makes a repeated POST with the same Idempotency-Key return the first run. */
  idempotency: IdempotencyKeys;
  submitter: RunSubmitter;
  routing: RoutingDeps;
  cancel: CancelChannel;
  store: ArtifactStore;
  /** Every run in memory, for the filtered and sorted listing of the web UI. */
  index: RunIndex;
  /** Dataset and latest AUROC of a run, for table rows. */
  summaries: RunSummaries;
}

/** `/api/v1/runs`: submit, list, inspect, follow and cancel training runs. */
export function runsRouter(deps: RunsRouterDeps): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    const body = parseOr400(runSubmissionSchema, jsonBodyOf(request), 'body');
    const clientKey = request.get('Idempotency-Key');
    if (clientKey === undefined) {
      const record = await deps.submitter.submit(body, apiUserOf(response));
      response.status(202).location(`/api/v1/runs/${record.id}`).json(await present(record, request));
      return;
    }
    if (clientKey.length === 0 || clientKey.length > 255) {
      throw new HttpError(400, `Idempotency-Key: expected 1 to 255 characters, got ${clientKey.length}`, { field: 'Idempotency-Key' });
    }
    const { id, created } = await deps.idempotency.once('runs', clientKey, async () => (await deps.submitter.submit(body, apiUserOf(response))).id);
    const record = await existingRun(id);
    response.status(created ? 202 : 200).location(`/api/v1/runs/${record.id}`).json(await present(record, request));
  });

  router.get('/', async (request, response) => {
    const query = parseOr400(listQuerySchema, request.query, 'query');
    const { model, q, sort, order, ...plain } = query;
    const workerCounts: WorkerCounts = new Map();
    if (plain.status === undefined && model === undefined && q === undefined && sort === undefined && order === undefined) {
      const page = await deps.runs.list(plain);
      response.json({ ...page, runs: await Promise.all(page.runs.map((run) => present(run, request, workerCounts))) });
      return;
    }
    // Filtering by status, model or text and sorting by a column need every run: the index has them.
    const page = await deps.index.query({ ...plain, model, text: q?.trim() || undefined, sort: sort ?? 'createdAt', order: order ?? 'desc' });
    const runs = await Promise.all(page.runs.map(async (run) => ({ ...(await present(run, request, workerCounts)), ...(await deps.summaries.of(run.id)) })));
    response.json({ ...page, runs });
  });

  router.get('/:id', async (request, response) => {
    response.json(await present(await existingRun(request.params.id), request));
  });

  router.get('/:id/metrics', async (request, response) => {
    const run = await existingRun(request.params.id);
    response.json({ id: run.id, epochs: await deps.runs.metrics(run.id) });
  });

  router.post('/:id/cancel', async (request, response) => {
    const run = await existingRun(request.params.id);
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') {
      throw new HttpError(409, `run ${run.id} is already ${run.status}`);
    }
    await deps.cancel.request(run.id);
    // A queued job no worker holds is removed outright; an active one stops between batches.
    if (await cancelQueuedJob(await trainJobOf(run), deps.routing.fairShare, run.submittedBy)) {
      response.status(200).json(await present(await deps.runs.markCancelled(run.id), request));
      return;
    }
    response.status(202).json({ ...(await present(run, request)), cancelRequested: true });
  });

  router.post('/:id/priority', async (request, response) => {
    const { priority } = parseOr400(priorityChangeSchema, jsonBodyOf(request), 'body');
    const run = await existingRun(request.params.id);
    const job = await trainJobOf(run);
    const state = job === undefined ? 'missing' : await job.getState();
    if (run.status === 'queued' && job === undefined) {
      throw new HttpError(409, `run ${run.id} has no job of its own waiting (a sweep trial takes its sweep's priority)`);
    }
    if (run.status !== 'queued' || job === undefined || !isWaitingState(state)) {
      throw new HttpError(409, `run ${run.id} is ${run.status === 'queued' ? 'being taken by a worker' : run.status}: only a waiting run changes priority (running ones are never preempted)`);
    }
    await job.changePriority(bullmqPriorityOptions(priority));
    await deps.routing.fairShare.reprioritize(run.submittedBy, job.queueName, run.id, priorityRank(priority));
    const updated = await deps.runs.update(run.id, (r) => ({ ...r, priority }));
    response.json(await present(updated, request));
  });

  router.get('/:id/artifacts/*path', async (request, response) => {
    const run = await existingRun(request.params.id);
    const segments = (request.params as unknown as { path: string[] }).path;
    const key = `${runPaths(run.id).root}/${segments.join('/')}`;
    const file = await deps.store.safeLocalPath(key);
    const folder = await runFolder(run.id);
    if (file === null || !file.startsWith(`${folder}/`)) throw new HttpError(404, `no artifact "${segments.join('/')}" in run ${run.id}`);
    if ((await stat(file)).isDirectory()) {
      response.json({ path: segments.filter((s) => s.length > 0).join('/'), entries: await deps.store.list(key) });
      return;
    }
    response.sendFile(file, { dotfiles: 'deny' }, (error) => {
      if (error !== undefined && !response.headersSent) response.status(404).json({ error: `no artifact "${segments.join('/')}" in run ${run.id}` });
    });
  });

  async function runFolder(runId: string): Promise<string> {
    const folder = await deps.store.safeLocalPath(runPaths(runId).root);
    if (folder === null) throw new HttpError(404, `run ${runId} not found`);
    return folder;
  }

  async function existingRun(id: string): Promise<RunRecord> {
    if (!RUN_ID.test(id)) throw new HttpError(404, `run ${id} not found`);
    const run = await deps.runs.get(id);
    if (run === null) throw new HttpError(404, `run ${id} not found`);
    return run;
  }

  /** run.json plus the live progress of its job and links to what it wrote. */
  async function present(run: RunRecord, request: Request, workerCounts?: WorkerCounts) {
    const base = `${request.baseUrl}/${run.id}`;
    const job = run.status === 'running' || run.status === 'queued' ? await currentTrainJob(deps, run) : undefined;
    const links: Record<string, string> = {
      self: base,
      metrics: `${base}/metrics`,
      config: `${base}/artifacts/config.yaml`,
      metricsFile: `${base}/artifacts/metrics.jsonl`,
    };
    const checkpoints = await deps.store.list(runPaths(run.id).checkpoints);
    if (checkpoints.includes('latest')) links.latestCheckpoint = `${base}/artifacts/checkpoints/latest/`;
    if (checkpoints.includes('best')) links.bestCheckpoint = `${base}/artifacts/checkpoints/best/`;
    for (const evalId of await deps.store.list(`${runPaths(run.id).root}/eval`)) links[`evaluation:${evalId}`] = `/api/v1/evaluations/${evalId}`;
    const waitingFor = run.status === 'queued' && job !== undefined ? await waitingReason(deps.routing, job, workerCounts) : null;
    return { ...run, progress: job?.progress ?? null, waitingFor, links };
  }

  /** The run's train job, in the queue its requirements name (runs from before routing: the plain queue). */
  async function trainJobOf(run: RunRecord): Promise<Job | undefined> {
    return deps.routing.queues.of('train', run.requires ?? []).getJob(run.id);
  }

  return router;
}
