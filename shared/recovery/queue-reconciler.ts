import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import { parseExperimentConfigText } from '../config/load-experiment-config.ts';
import { type QueueName, queuePrefix } from '../contracts/queue-names.ts';
import type { RunRecord } from '../contracts/run-record.ts';
import type { TrainJob } from '../contracts/train-job.ts';
import type { EvaluationRecord } from '../evaluation/evaluation-record.ts';
import { EvaluationRepository } from '../evaluation/evaluation-repository.ts';
import type { Logger } from '../observability/logger.ts';
import { enqueueSweepJob } from '../queue/enqueue-sweep-job.ts';
import { ANONYMOUS, type JobRouting, type RoutingDeps } from '../routing/enqueue-routed-job.ts';
import { enqueueEvaluateJob } from '../routing/enqueue-evaluate-job.ts';
import { enqueueTrainJob } from '../routing/enqueue-train-job.ts';
import { mapConcurrently } from '../runs/map-concurrently.ts';
import { RunRepository } from '../runs/run-repository.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { sweepOfTrialRun } from '../sweep/sweep-paths.ts';
import type { SweepRecord } from '../sweep/sweep-record.ts';
import { SweepRepository } from '../sweep/sweep-repository.ts';
import { RedisLock } from './redis-lock.ts';

/** A record in storage that had no job in Redis and got it back. */
export interface Recovery {
  queue: QueueName;
  /** The job id, which is the run, evaluation or sweep id (a sweep's trials are its controller's to requeue). */
  id: string;
  /** What was missing, for the log. */
  missing: string;
}

/** A submission writes its record before it queues the job; a record this young may still be getting it. */
const SUBMISSION_GRACE_MS = 5_000;
/** How long one pass may hold the lock at most; a pass reads records and queues jobs, seconds at most. */
const LOCK_TTL_MS = 60_000;
/** Records read at once. */
const READ_CONCURRENCY = 16;

export interface QueueReconcilerDeps {
  redis: Redis;
  store: ArtifactStore;
  /** The sweep queue; train and evaluate jobs go to the queue of their requirement set. */
  sweepQueue: Queue<{ sweepId: string }>;
  routing: RoutingDeps;
  logger: Logger;
  recoveredJobs: Counter<'queue'>;
}

/**
 * Storage is the source of truth; Redis holds queue state only, and can lose it (a restart
 * without persistence, FLUSHALL, a failover to an empty replica). A pass compares the two:
 * every run, evaluation and sweep that storage says is still to be done and that has no job
 * gets its job back, queued by the submitters' own enqueue functions under the same
 * deterministic id. It writes nothing to storage: the worker that takes a job resumes from
 * what storage holds (a run from its latest checkpoint, a sweep from trials.jsonl), fenced
 * by the storage lease against any earlier holder still running.
 */
export class QueueReconciler {
  private readonly lock: RedisLock;
  private readonly runs: RunRepository;
  private readonly evaluations: EvaluationRepository;
  private readonly sweeps: SweepRepository;

  constructor(private readonly deps: QueueReconcilerDeps) {
    this.lock = new RedisLock(deps.redis, `${queuePrefix()}:reconciler-lock`, LOCK_TTL_MS);
    this.runs = new RunRepository(deps.store);
    this.evaluations = new EvaluationRepository(deps.store);
    this.sweeps = new SweepRepository(deps.store);
  }

  /** One pass; null when another process holds the reconciler lock (it is doing the pass). */
  async reconcile(): Promise<Recovery[] | null> {
    if (!(await this.lock.tryAcquire())) return null;
    try {
      const sweeps = await this.sweeps.list();
      const recoveries = [
        ...(await this.recoverSweeps(sweeps)),
        ...(await this.recoverRuns(new Set(sweeps.map((sweep) => sweep.id)))),
        ...(await this.recoverEvaluations()),
      ];
      for (const recovery of recoveries) {
        this.deps.logger.warn('job recovered from storage', { queue: recovery.queue, id: recovery.id, missing: recovery.missing });
        this.deps.recoveredJobs.inc({ queue: recovery.queue });
      }
      return recoveries;
    } finally {
      await this.lock.release();
    }
  }

  private async recoverSweeps(sweeps: SweepRecord[]): Promise<Recovery[]> {
    const recovered: Recovery[] = [];
    for (const sweep of sweeps.filter((s) => (s.status === 'queued' || s.status === 'running') && settled(s.createdAt))) {
      if ((await this.deps.sweepQueue.getJob(sweep.id)) !== undefined) continue;
      await enqueueSweepJob(this.deps.sweepQueue, sweep.name, sweep.id);
      recovered.push({ queue: 'sweep', id: sweep.id, missing: `sweep ${sweep.status} in storage, no controller job in Redis; it continues from trials.jsonl` });
    }
    return recovered;
  }

  /** Runs of their own; a sweep's trials are queued again by their controller, as children of its job. */
  private async recoverRuns(sweepIds: ReadonlySet<string>): Promise<Recovery[]> {
    const ids = (await this.deps.store.list('runs')).filter((id) => !sweepIds.has(sweepOfTrialRun(id) ?? ''));
    const records = await mapConcurrently(ids, READ_CONCURRENCY, (id) => this.runs.get(id));
    const recovered: Recovery[] = [];
    for (const run of records.filter((r): r is RunRecord => r !== null && (r.status === 'queued' || r.status === 'running') && settled(r.createdAt))) {
      if ((await this.deps.routing.queues.of('train', run.requires ?? []).getJob(run.id)) !== undefined) continue;
      const source = runPaths(run.id).config;
      let config: TrainJob['config'];
      try {
        config = parseExperimentConfigText(await this.deps.store.readText(source), source).raw;
      } catch (error) {
        // One unreadable run must not keep every other one from its job.
        this.deps.logger.error('run not recovered: its stored config cannot be read', { runId: run.id, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      await enqueueTrainJob(this.deps.routing, { runId: run.id, name: run.name, config, routing: routingOfRun(run) });
      const resumes = run.status === 'running' ? `; it resumes from its latest checkpoint (epoch ${run.epoch} done)` : '';
      recovered.push({ queue: 'train', id: run.id, missing: `run ${run.status} in storage, no train job in Redis${resumes}` });
    }
    return recovered;
  }

  private async recoverEvaluations(): Promise<Recovery[]> {
    const ids = (await this.deps.store.list('evaluations')).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
    const records = await mapConcurrently(ids, READ_CONCURRENCY, (id) => this.evaluations.get(id));
    const recovered: Recovery[] = [];
    const pending = records.filter((r): r is EvaluationRecord => r !== null && (r.status === 'queued' || r.status === 'running') && settled(r.createdAt));
    for (const evaluation of pending) {
      const routing = evaluation.routing ?? routingOfRun(await this.runs.get(evaluation.runId));
      if ((await this.deps.routing.queues.of('evaluate', routing.requires).getJob(evaluation.id)) !== undefined) continue;
      await enqueueEvaluateJob(this.deps.routing, { evalId: evaluation.id, runId: evaluation.runId, checkpoint: evaluation.checkpoint, tasks: evaluation.tasks }, routing);
      recovered.push({ queue: 'evaluate', id: evaluation.id, missing: `evaluation ${evaluation.status} in storage, no evaluate job in Redis; it starts again` });
    }
    return recovered;
  }
}

function settled(createdAt: string): boolean {
  return Date.now() - Date.parse(createdAt) >= SUBMISSION_GRACE_MS;
}

/** A run's jobs go where its first one went: its labels, priority and submitter's share. */
function routingOfRun(run: RunRecord | null): JobRouting {
  return { requires: run?.requires ?? [], priority: run?.priority ?? 'normal', submittedBy: run?.submittedBy ?? ANONYMOUS };
}
