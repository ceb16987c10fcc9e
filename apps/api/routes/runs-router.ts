import { stat } from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import { idParam } from './id-param.ts';
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
  const routes = new RunRoutes(deps);
  const router = Router();
  router.post('/', (request, response) => routes.submit(request, response));
  router.get('/', (request, response) => routes.list(request, response));
  router.get('/:id', (request, response) => routes.show(request, response));
  router.get('/:id/metrics', (request, response) => routes.metrics(request, response));
  router.post('/:id/cancel', (request, response) => routes.cancel(request, response));
  router.post('/:id/priority', (request, response) => routes.changePriority(request, response));
  router.get('/:id/artifacts/*path', (request, response) => routes.artifact(request, response));
  return router;
}

/** One handler per run route, over the repositories and queues they share. */
class RunRoutes {
  constructor(private readonly deps: RunsRouterDeps) {}

  async submit(request: Request, response: Response): Promise<void> {
    const body = parseOr400(runSubmissionSchema, jsonBodyOf(request), 'body');
    const clientKey = request.get('Idempotency-Key');
    if (clientKey === undefined) {
      const record = await this.deps.submitter.submit(body, apiUserOf(response));
      response.status(202).location(`/api/v1/runs/${record.id}`).json(await this.present(record, request));
      return;
    }
    if (clientKey.length === 0 || clientKey.length > 255) {
      throw new HttpError(400, `Idempotency-Key: expected 1 to 255 characters, got ${clientKey.length}`, { field: 'Idempotency-Key' });
    }
    const { id, created } = await this.deps.idempotency.once('runs', clientKey, async () => (await this.deps.submitter.submit(body, apiUserOf(response))).id);
    const record = await this.existingRun(id);
    response.status(created ? 202 : 200).location(`/api/v1/runs/${record.id}`).json(await this.present(record, request));
  }

  async list(request: Request, response: Response): Promise<void> {
    const query = parseOr400(listQuerySchema, request.query, 'query');
    const { model, q, sort, order, ...plain } = query;
    const workerCounts: WorkerCounts = new Map();
    if (plain.status === undefined && model === undefined && q === undefined && sort === undefined && order === undefined) {
      const page = await this.deps.runs.list({ offset: plain.offset, limit: plain.limit });
      response.json({ ...page, runs: await Promise.all(page.runs.map((run) => this.present(run, request, workerCounts))) });
      return;
    }
    // Filtering by status, model or text and sorting by a column need every run: the index has them.
    const page = await this.deps.index.query({ ...plain, model, text: q?.trim() || undefined, sort: sort ?? 'createdAt', order: order ?? 'desc' });
    const runs = await Promise.all(page.runs.map(async (run) => ({ ...(await this.present(run, request, workerCounts)), ...(await this.deps.summaries.of(run.id)) })));
    response.json({ ...page, runs });
  }

  async show(request: Request, response: Response): Promise<void> {
    response.json(await this.present(await this.existingRun(idParam(request)), request));
  }

  async metrics(request: Request, response: Response): Promise<void> {
    const run = await this.existingRun(idParam(request));
    response.json({ id: run.id, epochs: await this.deps.runs.metrics(run.id) });
  }

  async cancel(request: Request, response: Response): Promise<void> {
    const run = await this.existingRun(idParam(request));
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') {
      throw new HttpError(409, `run ${run.id} is already ${run.status}`);
    }
    await this.deps.cancel.request(run.id);
    // A queued job no worker holds is removed outright; an active one stops between batches.
    if (await cancelQueuedJob(await this.trainJobOf(run), this.deps.routing.fairShare, run.submittedBy)) {
      response.status(200).json(await this.present(await this.deps.runs.markCancelled(run.id), request));
      return;
    }
    response.status(202).json({ ...(await this.present(run, request)), cancelRequested: true });
  }

  async changePriority(request: Request, response: Response): Promise<void> {
    const { priority } = parseOr400(priorityChangeSchema, jsonBodyOf(request), 'body');
    const run = await this.existingRun(idParam(request));
    const job = await this.trainJobOf(run);
    const state = job === undefined ? 'missing' : await job.getState();
    if (run.status === 'queued' && job === undefined) {
      throw new HttpError(409, `run ${run.id} has no job of its own waiting (a sweep trial takes its sweep's priority)`);
    }
    if (run.status !== 'queued' || job === undefined || !isWaitingState(state)) {
      throw new HttpError(409, `run ${run.id} is ${run.status === 'queued' ? 'being taken by a worker' : run.status}: only a waiting run changes priority (running ones are never preempted)`);
    }
    await job.changePriority(bullmqPriorityOptions(priority));
    await this.deps.routing.fairShare.reprioritize(run.submittedBy, job.queueName, run.id, priorityRank(priority));
    const updated = await this.deps.runs.update(run.id, (r) => ({ ...r, priority }));
    response.json(await this.present(updated, request));
  }

  async artifact(request: Request, response: Response): Promise<void> {
    const run = await this.existingRun(idParam(request));
    const segments = (request.params as unknown as { path: string[] }).path;
    const key = `${runPaths(run.id).root}/${segments.join('/')}`;
    const file = await this.deps.store.safeLocalPath(key);
    const folder = await this.runFolder(run.id);
    if (file === null || !file.startsWith(`${folder}/`)) throw new HttpError(404, `no artifact "${segments.join('/')}" in run ${run.id}`);
    if ((await stat(file)).isDirectory()) {
      response.json({ path: segments.filter((s) => s.length > 0).join('/'), entries: await this.deps.store.list(key) });
      return;
    }
    response.sendFile(file, { dotfiles: 'deny' }, (error) => {
      if (error !== undefined && !response.headersSent) response.status(404).json({ error: `no artifact "${segments.join('/')}" in run ${run.id}` });
    });
  }

  private async runFolder(runId: string): Promise<string> {
    const folder = await this.deps.store.safeLocalPath(runPaths(runId).root);
    if (folder === null) throw new HttpError(404, `run ${runId} not found`);
    return folder;
  }

  private async existingRun(id: string): Promise<RunRecord> {
    if (!RUN_ID.test(id)) throw new HttpError(404, `run ${id} not found`);
    const run = await this.deps.runs.get(id);
    if (run === null) throw new HttpError(404, `run ${id} not found`);
    return run;
  }

  /** run.json plus the live progress of its job and links to what it wrote. */
  private async present(run: RunRecord, request: Request, workerCounts?: WorkerCounts) {
    const base = `${request.baseUrl}/${run.id}`;
    const job = run.status === 'running' || run.status === 'queued' ? await currentTrainJob(this.deps, run) : undefined;
    const links: Record<string, string> = {
      self: base,
      metrics: `${base}/metrics`,
      config: `${base}/artifacts/config.yaml`,
      metricsFile: `${base}/artifacts/metrics.jsonl`,
    };
    const checkpoints = await this.deps.store.list(runPaths(run.id).checkpoints);
    if (checkpoints.includes('latest')) links.latestCheckpoint = `${base}/artifacts/checkpoints/latest/`;
    if (checkpoints.includes('best')) links.bestCheckpoint = `${base}/artifacts/checkpoints/best/`;
    for (const evalId of await this.deps.store.list(`${runPaths(run.id).root}/eval`)) links[`evaluation:${evalId}`] = `/api/v1/evaluations/${evalId}`;
    const waitingFor = run.status === 'queued' && job !== undefined ? await waitingReason(this.deps.routing, job, workerCounts) : null;
    return { ...run, progress: job?.progress ?? null, waitingFor, links };
  }

  /** The run's train job, in the queue its requirements name (runs from before routing: the plain queue). */
  private async trainJobOf(run: RunRecord): Promise<Job | undefined> {
    return this.deps.routing.queues.of('train', run.requires ?? []).getJob(run.id);
  }
}
