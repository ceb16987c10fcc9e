import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import { submitEvaluation } from '../../shared/evaluation/evaluation-submitter.ts';
import { trainJobSchema, type TrainJob, type TrainJobResult, type TrainProgress } from '../../shared/contracts/train-job.ts';
import { describeMetrics } from '../../shared/observability/describe-metrics.ts';
import { EtaEstimator } from '../../shared/observability/eta-estimator.ts';
import { tagFailure, type FailureReason } from '../../shared/observability/failure-reason.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { WorkerMetrics } from '../../shared/observability/worker-metrics.ts';
import type { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { takenJobPayload } from '../../shared/queue/job-payload.ts';
import { ANONYMOUS, type RoutingDeps } from '../../shared/routing/enqueue-routed-job.ts';
import type { RunRepository } from '../../shared/runs/run-repository.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { StorageLease } from '../../shared/storage/storage-lease.ts';
import { isTrainOutcome, type ChildMessage, type SupervisorMessage, type TrainOutcome } from './train-child-messages.ts';
import { childMaxRssMb, WarmChild } from './warm-child.ts';
import { entryNextTo } from '../../shared/process/node-entry.ts';

const CHILD_ENTRY = entryNextTo(import.meta.url, 'train-child');
/** How often the supervisor looks at the cancel channel; a batch is the finer grain. */
const CANCEL_POLL_MS = 500;
/** Bull Board and the API need no more than one progress write a second. */
const PROGRESS_INTERVAL_MS = 1000;

export interface TrainProcessorDeps {
  store: ArtifactStore;
  evaluations: EvaluationRepository;
  /** Where the evaluation after training is queued, routed like the run. */
  routing: RoutingDeps;
  runs: RunRepository;
  cancel: CancelChannel;
  logger: Logger;
  metrics: WorkerMetrics;
  /** True once the worker was asked to shut down: running jobs are handed back. */
  shuttingDown: () => boolean;
  /** Registers the function that preempts the running child when shutdown begins. */
  onShutdown: (preempt: () => void) => void;
  /** Registers the function told which jobs' queue locks could not be renewed (BullMQ `lockRenewalFailed`). */
  onLockLost: (handler: (jobIds: string[]) => void) => void;
}

/**
 * The train processor: it runs the training in a warm child process (the sandbox, reused
 * job after job and replaced when a job leaves it unfit) and supervises it — progress to BullMQ and run.json, cancel requests from Redis, and on
 * shutdown a preemption that writes a checkpoint and hands the job back to the queue
 * at once.
 */
export function createTrainProcessor(deps: TrainProcessorDeps) {
  const maxRssMb = childMaxRssMb();
  const children = new WarmChild<SupervisorMessage, ChildMessage>(CHILD_ENTRY, deps.logger);
  children.prepare();
  const processTrainJob = async function processTrainJob(job: Job<TrainJob>, token?: string): Promise<TrainJobResult> {
    const { runId, config } = takenJobPayload(trainJobSchema, job);
    const log = deps.logger.child({ runId, jobId: job.id });
    if (deps.shuttingDown()) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    // Both before the run is marked running, side by side: each is a round trip on a trial's hand-out path.
    const [stored, cancelRequested] = await Promise.all([deps.runs.get(runId), deps.cancel.isRequested(runId)]);
    if (stored?.status === 'completed') {
      // The job of a run that finished while Redis was away comes back as stalled: nothing is left to do.
      log.info('run already completed; the job is closed without training');
      return { status: 'completed', epochsCompleted: stored.epoch, stoppedEarly: stored.stoppedEarly };
    }
    if (cancelRequested) {
      await deps.runs.update(runId, (r) => ({ ...r, status: 'cancelled', finishedAt: new Date().toISOString() }));
      return { status: 'cancelled', epochsCompleted: 0, stoppedEarly: false };
    }
    const record = await deps.runs.update(runId, (r) => ({
      ...r,
      status: 'running',
      startedAt: r.startedAt ?? new Date().toISOString(),
      attempts: r.attempts + 1,
      error: null,
      // Set again by this attempt's child when it continues from a checkpoint.
      resumedFrom: null,
      worker: { host: hostname(), pid: process.pid, backend: null, device: null },
    }));
    // Taken after run.json says running: from here on, an earlier holder of this run writes nothing.
    const lease = await StorageLease.take(deps.store, runPaths(runId).lease, { host: hostname(), pid: process.pid });
    log.info('train job started', { attempt: record.attempts });
    const modelName = modelNameOf(config);

    const stop = (reason: 'cancel' | 'preempt') => children.send({ type: 'stop', reason });
    deps.onShutdown(() => stop('preempt'));
    // Set when another worker may hold the run now: this one reports nothing more to Redis.
    let lostRun: string | null = null;
    deps.onLockLost((jobIds) => {
      if (lostRun !== null || job.id === undefined || !jobIds.includes(job.id)) return;
      lostRun = `the queue lock of run ${runId} could not be renewed (Redis was away longer than the lock, or lost the job); this worker stopped and left the run to whoever holds it next`;
      log.warn('queue lock lost: stopping after the batch with a checkpoint (fenced by the run lease)', { attempt: record.attempts });
      // The checkpoint is written only while the lease is still ours, so a new holder is never overwritten.
      stop('preempt');
    });
    const cancelWatch = setInterval(() => {
      deps.cancel.isRequested(runId).then(
        (requested) => requested && stop('cancel'),
        (error: unknown) => log.warn('cancel channel unreachable', { error: String(error) }),
      );
    }, CANCEL_POLL_MS);

    const eta = new EtaEstimator();
    let lastProgressAt = 0;
    let updates: Promise<void> = Promise.resolve();
    const enqueueUpdate = (work: () => Promise<unknown>) => {
      updates = updates.then(() => (lostRun === null ? work() : undefined)).then(
        () => undefined,
        (error: unknown) => {
          log.warn('progress update failed', { error: String(error) });
        },
      );
    };

    let outcome: TrainOutcome;
    try {
      const final = await children.run(
        { type: 'start', runId, config, storage: deps.store.location, leaseToken: lease.token },
        (message) => {
          switch (message.type) {
            case 'backend':
              log.info('training backend', { backend: message.name, device: message.device, adapter: message.adapter, threads: message.threads });
              enqueueUpdate(() =>
                deps.runs.update(runId, (r) => ({
                  ...r,
                  worker: { host: hostname(), pid: process.pid, backend: message.name, device: message.device, adapter: message.adapter, threads: message.threads },
                  versions: { ...r.versions, tfjs: message.tfjsVersion },
                })),
              );
              break;
            case 'resumed':
              log.info('resuming from checkpoint', { epoch: message.epoch, batch: message.batch });
              enqueueUpdate(() => deps.runs.update(runId, (r) => ({ ...r, resumedFrom: { epoch: message.epoch, batch: message.batch } })));
              break;
            case 'warning':
              log.warn(message.message);
              break;
            case 'batch': {
              const now = Date.now();
              if (now - lastProgressAt < PROGRESS_INTERVAL_MS) break;
              lastProgressAt = now;
              enqueueUpdate(() => job.updateProgress({ ...progressOf(message, eta) }));
              break;
            }
            case 'epoch':
              deps.metrics.epochFinished(modelName, Number(message.record.images_per_s));
              log.info('epoch finished', { epoch: message.epoch, totalEpochs: message.totalEpochs, metrics: message.record });
              // Side by side: the last epoch's three writes are on a trial's way to its end.
              enqueueUpdate(() =>
                Promise.all([
                  job.log(`epoch ${message.epoch + 1}/${message.totalEpochs} ${describeMetrics(message.record)}`),
                  job.updateProgress({ ...progressOf({ ...message, batch: 0, batchesPerEpoch: 1, epoch: message.epoch + 1 }, eta) }),
                  deps.runs.update(runId, (r) => ({ ...r, epoch: message.epoch + 1, latestMetrics: message.record, best: message.best })),
                ]),
              );
              break;
            case 'failed':
              if (message.reason === 'lease_lost') lostRun = message.message;
              break;
          }
        },
        isTrainOutcome,
      ).catch((error: unknown) => {
        throw tagFailure(new Error(`training ${error instanceof Error ? error.message : String(error)}`), 'crashed');
      });
      outcome = final as TrainOutcome;
      children.release(outcome.type === 'done' ? outcome.health : null, maxRssMb);
    } catch (error) {
      children.kill();
      await updates;
      // Not ours any more: run.json belongs to the new holder, so nothing is written.
      if (lostRun !== null) throw tagFailure(new Error(lostRun), 'lease_lost');
      await markFailureOrRetry(error instanceof Error ? error.message : String(error), true);
      throw error;
    } finally {
      clearInterval(cancelWatch);
      if (deps.shuttingDown()) children.close();
      deps.onShutdown(() => undefined);
      deps.onLockLost(() => undefined);
    }
    await updates;
    // A run that ended anyway (completed, stopped early, cancelled) is recorded as such; only unfinished work is handed back.
    if (lostRun !== null && !(outcome.type === 'done' && outcome.status !== 'preempted')) return handBackLostRun(lostRun);
    return finish(outcome);

    /**
     * The job is gone from Redis or another worker's. While the lease is still ours the run
     * is marked queued, and the reconciler (or the stalled-job check) gives it a job again.
     */
    async function handBackLostRun(reason: string): Promise<never> {
      if (await lease.isHeld()) await deps.runs.update(runId, (r) => ({ ...r, status: 'queued' }));
      throw tagFailure(new Error(reason), 'lease_lost');
    }

    async function finish(outcome: Extract<ChildMessage, { type: 'done' | 'failed' }>): Promise<TrainJobResult> {
      if (outcome.type === 'failed') {
        await markFailureOrRetry(outcome.message, outcome.retryable);
        throw failure(outcome.message, outcome.retryable, outcome.reason);
      }
      await lease.assertHeld();
      if (outcome.status === 'preempted') {
        log.info('run preempted: checkpoint written, job handed back to the queue');
        await deps.runs.update(runId, (r) => ({ ...r, status: 'queued' }));
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const finishedAt = new Date().toISOString();
      if (outcome.status === 'cancelled') {
        await deps.runs.update(runId, (r) => ({ ...r, status: 'cancelled', finishedAt }));
        log.info('run cancelled', { epochsCompleted: outcome.epochsCompleted });
        return { status: 'cancelled', epochsCompleted: outcome.epochsCompleted, stoppedEarly: false };
      }
      const stoppedEarly = outcome.status === 'early_stopped';
      await deps.runs.update(runId, (r) => ({ ...r, status: 'completed', finishedAt, stoppedEarly, epoch: outcome.epochsCompleted }));
      log.info('run completed', { epochsCompleted: outcome.epochsCompleted, stoppedEarly });
      await evaluateAfterTraining();
      return { status: 'completed', epochsCompleted: outcome.epochsCompleted, stoppedEarly };
    }

    /** As the official entry point: a config with downstream tasks is evaluated on its best checkpoint. */
    async function evaluateAfterTraining(): Promise<void> {
      // A sweep trial's job ends at every ASHA rung; its evaluation is asked for once the sweep has a winner.
      if (job.parent !== undefined) return;
      const tasks = config.downstream_tasks;
      if (typeof tasks !== 'object' || tasks === null || Object.keys(tasks).length === 0) return;
      const run = await deps.runs.get(runId);
      const routing = { requires: run?.requires ?? [], priority: run?.priority ?? 'normal', submittedBy: run?.submittedBy ?? ANONYMOUS };
      // A fixed id, so a retried job never queues the evaluation twice.
      const evaluation = await submitEvaluation({ ...deps.routing, evaluations: deps.evaluations }, { runId, checkpoint: 'best', tasks: Object.keys(tasks), evalId: `${runId}-auto`, routing });
      log.info('evaluation queued', { evalId: evaluation.id });
    }

    async function markFailureOrRetry(message: string, retryable: boolean): Promise<void> {
      const attempts = job.opts.attempts ?? 1;
      const final = !retryable || job.attemptsMade + 1 >= attempts;
      log.error(final ? 'run failed' : 'run attempt failed; will retry', { error: message });
      // When storage refuses writes, run.json cannot say so either; the job's failedReason in Redis still does.
      await deps.runs
        .update(runId, (r) => ({
          ...r,
          status: final ? 'failed' : 'queued',
          error: message,
          finishedAt: final ? new Date().toISOString() : null,
        }))
        .catch((error: unknown) => log.error('could not record the failure in run.json', { error: String(error) }));
    }
  };
  return processTrainJob;
}

function failure(message: string, retryable: boolean, reason: FailureReason): Error {
  return tagFailure(retryable ? new Error(message) : new UnrecoverableError(message), reason);
}

function modelNameOf(config: Record<string, unknown>): string {
  const model = config.model;
  const name = typeof model === 'object' && model !== null ? (model as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : 'unknown';
}

interface ProgressPoint {
  epoch: number;
  totalEpochs: number;
  batch: number;
  batchesPerEpoch: number;
  loss?: number;
  imagesPerSecond?: number;
}

function progressOf(message: ProgressPoint, eta: EtaEstimator): TrainProgress {
  const done = message.epoch + message.batch / Math.max(1, message.batchesPerEpoch);
  const imagesPerSecond = message.imagesPerSecond ?? null;
  const fraction = message.totalEpochs > 0 ? Math.min(1, done / message.totalEpochs) : 0;
  return {
    epoch: message.epoch,
    totalEpochs: message.totalEpochs,
    batch: message.batch,
    batchesPerEpoch: message.batchesPerEpoch,
    progress: Math.min(100, Math.floor(fraction * 100)),
    loss: message.loss ?? null,
    imagesPerSecond,
    etaSeconds: eta.observe(fraction),
  };
}
