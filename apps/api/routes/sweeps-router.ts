import { Router, type Request, type Response } from 'express';
import { idParam } from './id-param.ts';
import type { Queue } from 'bullmq';
import type { z } from 'zod';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { resolveConfigPath, shownConfigPath } from '../../../shared/config/load-experiment-config.ts';
import { sweepSubmissionSchema } from '../../../shared/contracts/sweep-submission.ts';
import type { CancelChannel } from '../../../shared/queue/cancel-channel.ts';
import type { RoutingDeps } from '../../../shared/routing/enqueue-routed-job.ts';
import { waitingReason, type WorkerCounts } from '../../../shared/routing/waiting-reason.ts';
import { cancelQueuedJob } from '../../../shared/runs/cancel-queued-job.ts';
import type { RunRepository } from '../../../shared/runs/run-repository.ts';
import { enqueueSweepJob } from '../../../shared/queue/enqueue-sweep-job.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { leaderboardOf } from '../../../shared/sweep/sweep-controller.ts';
import { trialJobId } from '../../../shared/sweep/sweep-paths.ts';
import { newSweepId } from '../../../shared/runs/new-run-id.ts';
import type { SweepRecord, TrialView } from '../../../shared/sweep/sweep-record.ts';
import type { SweepRepository } from '../../../shared/sweep/sweep-repository.ts';
import { loadSweepSpecFile, parseSweepSpec, type ParsedSweepSpec } from '../../../shared/sweep/sweep-spec.ts';
import { writeStoredSweep } from '../../../shared/sweep/stored-sweep.ts';
import { TrialLog } from '../../../shared/sweep/trial-log.ts';
import { apiUserOf } from '../bearer-auth.ts';
import { configHttpError, HttpError } from '../http-error.ts';
import { jsonBodyOf, parseOr400 } from '../zod-http.ts';

const SWEEP_ID = /^s[A-Za-z0-9_-]{1,127}$/;

export interface SweepsRouterDeps {
  store: ArtifactStore;
  sweeps: SweepRepository;
  sweepQueue: Queue<{ sweepId: string }>;
  routing: RoutingDeps;
  runs: RunRepository;
  cancel: CancelChannel;
  configsDir: string;
}

/** `/api/v1/sweeps`: submit, follow and cancel hyperparameter sweeps. */
export function sweepsRouter(deps: SweepsRouterDeps): Router {
  const routes = new SweepRoutes(deps);
  const router = Router();
  router.post('/', (request, response) => routes.submit(request, response));
  router.get('/', (request, response) => routes.list(request, response));
  router.get('/:id', (request, response) => routes.show(request, response));
  // The controller's decisions with their times: what a chart of the objective over time needs.
  router.get('/:id/events', (request, response) => routes.events(request, response));
  router.post('/:id/cancel', (request, response) => routes.cancel(request, response));
  return router;
}

/** One handler per sweep route, over the stores and queues they share. */
class SweepRoutes {
  constructor(private readonly deps: SweepsRouterDeps) {}

  async submit(request: Request, response: Response): Promise<void> {
    const { spec, baseRaw } = parseSubmittedSweep(parseOr400(sweepSubmissionSchema, jsonBodyOf(request), 'body'), this.deps.configsDir);
    const id = newSweepId();
    const record: SweepRecord = {
      id,
      name: spec.name,
      status: 'queued',
      method: spec.method,
      metric: spec.metric,
      maxTrials: spec.maxTrials,
      maxConcurrent: spec.maxConcurrent,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
    await writeStoredSweep(this.deps.store, id, { spec, baseRaw, submittedBy: apiUserOf(response) });
    await this.deps.sweeps.save(record);
    await enqueueSweepJob(this.deps.sweepQueue, spec.name, id);
    response.status(202).location(`/api/v1/sweeps/${id}`).json(await this.present(record));
  }

  async list(_request: Request, response: Response): Promise<void> {
    response.json({ sweeps: await this.deps.sweeps.list() });
  }

  async show(request: Request, response: Response): Promise<void> {
    response.json(await this.present(await this.existing(idParam(request))));
  }

  async events(request: Request, response: Response): Promise<void> {
    const sweep = await this.existing(idParam(request));
    response.json({ id: sweep.id, events: await new TrialLog(this.deps.store, sweep.id).events() });
  }

  async cancel(request: Request, response: Response): Promise<void> {
    const sweep = await this.existing(idParam(request));
    if (sweep.status === 'completed' || sweep.status === 'cancelled' || sweep.status === 'failed') throw new HttpError(409, `sweep ${sweep.id} is already ${sweep.status}`);
    await this.deps.cancel.request(sweep.id);
    for (const trial of (await new TrialLog(this.deps.store, sweep.id).trials()).filter((t) => t.status === 'running')) {
      await this.cancelTrial(sweep.id, trial);
    }
    const job = await this.deps.sweepQueue.getJob(sweep.id);
    if (job !== undefined && (await job.getState()) === 'waiting' && (await job.remove().then(() => true, () => false))) {
      await this.deps.sweeps.update(sweep.id, (r) => ({ ...r, status: 'cancelled', finishedAt: new Date().toISOString() }));
    }
    response.status(202).json({ ...(await this.present(await this.existing(sweep.id))), cancelRequested: true });
  }

  /** A trial waiting for a worker is removed; a training one stops after its batch (cancel channel). */
  private async cancelTrial(sweepId: string, trial: TrialView): Promise<void> {
    await this.deps.cancel.request(trial.runId);
    const run = await this.deps.runs.get(trial.runId);
    const job = await this.deps.routing.queues.of('train', run?.requires ?? []).getJob(trialJobId(sweepId, trial.index, trial.budget));
    if (run !== null) await cancelQueuedJob(job, this.deps.routing.fairShare, run.submittedBy);
  }

  private async existing(id: string): Promise<SweepRecord> {
    const sweep = SWEEP_ID.test(id) ? await this.deps.sweeps.get(id) : null;
    if (sweep === null) throw new HttpError(404, `sweep ${id} not found`);
    return sweep;
  }

  /** sweep.json with its trials (each saying why it waits, if it does) and the leaderboard. */
  private async present(sweep: SweepRecord) {
    const trials = await new TrialLog(this.deps.store, sweep.id).trials();
    const leaderboard = leaderboardOf(sweep.metric, trials);
    const workerCounts: WorkerCounts = new Map();
    const shown = await Promise.all(trials.map(async (trial) => ({ ...trial, waitingFor: await this.trialWaitingFor(sweep.id, trial, workerCounts) })));
    return { ...sweep, trials: shown, best: leaderboard[0] ?? null, leaderboard };
  }

  /** Why a trial's current stretch has not started: its run is queued and its job waits. */
  private async trialWaitingFor(sweepId: string, trial: TrialView, workerCounts: WorkerCounts): Promise<string | null> {
    if (trial.status !== 'running') return null;
    const run = await this.deps.runs.get(trial.runId);
    if (run?.status !== 'queued') return null;
    const job = await this.deps.routing.queues.of('train', run.requires ?? []).getJob(trialJobId(sweepId, trial.index, trial.budget));
    return job === undefined ? null : waitingReason(this.deps.routing, job, workerCounts);
  }
}

/** The sweep a submission names or carries, its problems a 400 naming the file as the user wrote it. */
function parseSubmittedSweep(body: z.output<typeof sweepSubmissionSchema>, configsDir: string): ParsedSweepSpec {
  let file: string | undefined;
  try {
    if (body.configPath === undefined) return parseSweepSpec(body.sweep, 'request body "sweep"', { configsDir });
    file = resolveConfigPath(configsDir, body.configPath);
    return loadSweepSpecFile(file, { configsDir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const asWritten = file === undefined ? undefined : shownConfigPath(configsDir, file);
    throw configHttpError(asWritten !== undefined && error.source === file ? new ConfigError(asWritten, error.problems) : error);
  }
}
