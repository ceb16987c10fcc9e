import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import { submitEvaluation } from '../../shared/evaluation/evaluation-submitter.ts';
import type { TrainJob, TrainJobResult, TrainProgress } from '../../shared/contracts/train-job.ts';
import { describeMetrics } from '../../shared/observability/describe-metrics.ts';
import { EtaEstimator } from '../../shared/observability/eta-estimator.ts';
import { tagFailure, type FailureReason } from '../../shared/observability/failure-reason.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { WorkerMetrics } from '../../shared/observability/worker-metrics.ts';
import type { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import type { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { RunRepository } from '../../shared/runs/run-repository.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { ANONYMOUS, type RoutingDeps } from '../../shared/routing/enqueue-routed-job.ts';
import type { StorageLease } from '../../shared/storage/storage-lease.ts';
import { isTrainOutcome, type ChildMessage, type SupervisorMessage, type TrainOutcome } from './train-child-messages.ts';
import type { WarmChild } from './warm-child.ts';

/** How often the supervisor looks at the cancel channel; a batch is the finer grain. */
const CANCEL_POLL_MS = 500;
/** Bull Board and the API need no more than one progress write a second. */
const PROGRESS_INTERVAL_MS = 1000;

export interface TrainSupervisorDeps {
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
  /**
   * Told the sweep job's id when a sweep trial's last epoch is recorded (its metrics line is
   * written): its controller may queue the next trial while this one still writes its
   * checkpoints and last records (trial-end-signal.ts).
   */
  trialTrained: (sweepJobId: string) => void;
}

/** One taken train job whose run.json says running and whose storage lease this worker holds. */
export interface SupervisedJob {
  job: Job<TrainJob>;
  token: string | undefined;
  runId: string;
  config: TrainJob['config'];
  lease: StorageLease;
  log: Logger;
  attempt: number;
}

/**
 * The supervisor of one training in the warm child: it forwards the child's progress to
 * BullMQ and run.json, polls the cancel channel, preempts the child on shutdown or a lost
 * queue lock, and turns the child's outcome into the run's final state and the job's result.
 */
export class TrainSupervisor {
  /** Set when another worker may hold the run now: this one reports nothing more to Redis. */
  private lostRun: string | null = null;
  private updates: Promise<void> = Promise.resolve();
  private lastProgressAt = 0;
  /**
   * The last epoch's run.json change, held back: it goes into the run's final write (one
   * fsync'd rewrite instead of two on a trial's way to its end), or is written on its own
   * when the run ends otherwise.
   */
  private lastEpoch: Extract<ChildMessage, { type: 'epoch' }> | null = null;
  private readonly eta = new EtaEstimator();
  private readonly modelName: string;

  constructor(
    private readonly deps: TrainSupervisorDeps,
    private readonly children: Pick<WarmChild<SupervisorMessage, ChildMessage>, 'run' | 'send' | 'kill' | 'release' | 'close'>,
    private readonly maxRssMb: number,
    private readonly taken: SupervisedJob,
  ) {
    this.modelName = modelNameOf(taken.config);
  }

  async supervise(): Promise<TrainJobResult> {
    const cancelWatch = this.watch();
    let outcome: TrainOutcome;
    try {
      outcome = await this.runChild();
      this.children.release(outcome.type === 'done' ? outcome.health : null, this.maxRssMb);
    } catch (error) {
      this.children.kill();
      this.writeLastEpoch();
      await this.updates;
      // Not ours any more: run.json belongs to the new holder, so nothing is written.
      if (this.lostRun !== null) throw tagFailure(new Error(this.lostRun), 'lease_lost');
      await this.markFailureOrRetry(error instanceof Error ? error.message : String(error), true);
      throw error;
    } finally {
      clearInterval(cancelWatch);
      if (this.deps.shuttingDown()) this.children.close();
      this.deps.onShutdown(() => undefined);
      this.deps.onLockLost(() => undefined);
    }
    const completed = outcome.type === 'done' && (outcome.status === 'completed' || outcome.status === 'early_stopped');
    if (!completed) this.writeLastEpoch();
    await this.updates;
    // A run that ended anyway (completed, stopped early, cancelled) is recorded as such; only unfinished work is handed back.
    if (this.lostRun !== null && !(outcome.type === 'done' && outcome.status !== 'preempted')) return this.handBackLostRun(this.lostRun);
    return this.finish(outcome);
  }

  /** Shutdown, a lost queue lock and a cancel request each stop the child after its batch; returns the cancel poll. */
  private watch(): NodeJS.Timeout {
    const { job, runId, log, attempt } = this.taken;
    const stop = (reason: 'cancel' | 'preempt') => this.children.send({ type: 'stop', reason });
    this.deps.onShutdown(() => stop('preempt'));
    this.deps.onLockLost((jobIds) => {
      if (this.lostRun !== null || job.id === undefined || !jobIds.includes(job.id)) return;
      this.lostRun = `the queue lock of run ${runId} could not be renewed (Redis was away longer than the lock, or lost the job); this worker stopped and left the run to whoever holds it next`;
      log.warn('queue lock lost: stopping after the batch with a checkpoint (fenced by the run lease)', { attempt });
      // The checkpoint is written only while the lease is still ours, so a new holder is never overwritten.
      stop('preempt');
    });
    return setInterval(() => {
      this.deps.cancel.isRequested(runId).then(
        (requested) => requested && stop('cancel'),
        (error: unknown) => log.warn('cancel channel unreachable', { error: String(error) }),
      );
    }, CANCEL_POLL_MS);
  }

  private async runChild(): Promise<TrainOutcome> {
    const { runId, config, lease } = this.taken;
    const start: SupervisorMessage = { type: 'start', runId, config, storage: this.deps.store.location, leaseToken: lease.token };
    const final = await this.children.run(start, (message) => this.onMessage(message), isTrainOutcome).catch((error: unknown) => {
      throw tagFailure(new Error(`training ${error instanceof Error ? error.message : String(error)}`), 'crashed');
    });
    return final as TrainOutcome;
  }

  /** Writes to Redis and run.json in order, one after the other, and none once the run is lost. */
  private enqueueUpdate(work: () => Promise<unknown>): void {
    this.updates = this.updates
      .then(() => (this.lostRun === null ? work() : undefined))
      .then(
        () => undefined,
        (error: unknown) => {
          this.taken.log.warn('progress update failed', { error: String(error) });
        },
      );
  }

  private onMessage(message: ChildMessage): void {
    const { job, runId, log } = this.taken;
    const runs = this.deps.runs;
    switch (message.type) {
      case 'backend':
        log.info('training backend', { backend: message.name, device: message.device, adapter: message.adapter, threads: message.threads });
        this.enqueueUpdate(() =>
          runs.update(runId, (r) => ({
            ...r,
            worker: { host: hostname(), pid: process.pid, backend: message.name, device: message.device, adapter: message.adapter, threads: message.threads },
            versions: { ...r.versions, tfjs: message.tfjsVersion },
          })),
        );
        break;
      case 'resumed':
        log.info('resuming from checkpoint', { epoch: message.epoch, batch: message.batch });
        this.enqueueUpdate(() => runs.update(runId, (r) => ({ ...r, resumedFrom: { epoch: message.epoch, batch: message.batch } })));
        break;
      case 'warning':
        log.warn(message.message);
        break;
      case 'batch': {
        const now = Date.now();
        if (now - this.lastProgressAt < PROGRESS_INTERVAL_MS) break;
        this.lastProgressAt = now;
        this.enqueueUpdate(() => job.updateProgress({ ...progressOf(message, this.eta) }));
        break;
      }
      case 'recorded':
        // The controller counts a trial whose last record is in metrics.jsonl as done training: its pass may start now.
        if (message.epoch + 1 >= message.totalEpochs && job.parent?.id !== undefined && this.lostRun === null) this.deps.trialTrained(job.parent.id);
        break;
      case 'epoch': {
        this.deps.metrics.epochFinished(this.modelName, Number(message.record.images_per_s));
        log.info('epoch finished', { epoch: message.epoch, totalEpochs: message.totalEpochs, metrics: message.record });
        const last = message.epoch + 1 >= message.totalEpochs;
        // The checkpoint and metrics.jsonl hold this epoch already: run.json may follow with the run's final state.
        if (last) this.lastEpoch = message;
        // Side by side: the last epoch's writes are on a trial's way to its end.
        this.enqueueUpdate(() =>
          Promise.all([
            job.log(`epoch ${message.epoch + 1}/${message.totalEpochs} ${describeMetrics(message.record)}`),
            job.updateProgress({ ...progressOf({ ...message, batch: 0, batchesPerEpoch: 1, epoch: message.epoch + 1 }, this.eta) }),
            last ? undefined : runs.update(runId, (r) => ({ ...r, ...epochProgressOf(message) })),
          ]),
        );
        break;
      }
      case 'failed':
        if (message.reason === 'lease_lost') this.lostRun = message.message;
        break;
    }
  }

  /** The held-back last epoch goes to run.json on its own: the run did not end completed (preempted, cancelled, failed, lost). */
  private writeLastEpoch(): void {
    const held = this.lastEpoch;
    if (held === null) return;
    this.lastEpoch = null;
    this.enqueueUpdate(() => this.deps.runs.update(this.taken.runId, (r) => ({ ...r, ...epochProgressOf(held) })));
  }

  /**
   * The job is gone from Redis or another worker's. While the lease is still ours the run
   * is marked queued, and the reconciler (or the stalled-job check) gives it a job again.
   */
  private async handBackLostRun(reason: string): Promise<never> {
    if (await this.taken.lease.isHeld()) await this.deps.runs.markQueued(this.taken.runId);
    throw tagFailure(new Error(reason), 'lease_lost');
  }

  private async finish(outcome: TrainOutcome): Promise<TrainJobResult> {
    const { job, token, runId, lease, log } = this.taken;
    if (outcome.type === 'failed') {
      await this.markFailureOrRetry(outcome.message, outcome.retryable);
      throw failure(outcome.message, outcome.retryable, outcome.reason);
    }
    await lease.assertHeld();
    if (outcome.status === 'preempted') {
      log.info('run preempted: checkpoint written, job handed back to the queue');
      await this.deps.runs.markQueued(runId);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (outcome.status === 'cancelled') {
      await this.deps.runs.markCancelled(runId);
      log.info('run cancelled', { epochsCompleted: outcome.epochsCompleted });
      return { status: 'cancelled', epochsCompleted: outcome.epochsCompleted, stoppedEarly: false };
    }
    const stoppedEarly = outcome.status === 'early_stopped';
    const lastEpoch = this.lastEpoch === null ? {} : epochProgressOf(this.lastEpoch);
    await this.deps.runs.markCompleted(runId, { ...lastEpoch, epoch: outcome.epochsCompleted, stoppedEarly });
    log.info('run completed', { epochsCompleted: outcome.epochsCompleted, stoppedEarly });
    await this.evaluateAfterTraining();
    return { status: 'completed', epochsCompleted: outcome.epochsCompleted, stoppedEarly };
  }

  /** As the official entry point: a config with downstream tasks is evaluated on its best checkpoint. */
  private async evaluateAfterTraining(): Promise<void> {
    const { job, runId, config, log } = this.taken;
    // A sweep trial's job ends at every ASHA rung; its evaluation is asked for once the sweep has a winner.
    if (job.parent !== undefined) return;
    const tasks = config.downstream_tasks;
    if (typeof tasks !== 'object' || tasks === null || Object.keys(tasks).length === 0) return;
    const run = await this.deps.runs.get(runId);
    const routing = { requires: run?.requires ?? [], priority: run?.priority ?? 'normal', submittedBy: run?.submittedBy ?? ANONYMOUS };
    // A fixed id, so a retried job never queues the evaluation twice.
    const evaluation = await submitEvaluation({ ...this.deps.routing, evaluations: this.deps.evaluations }, { runId, checkpoint: 'best', tasks: Object.keys(tasks), evalId: `${runId}-auto`, routing });
    log.info('evaluation queued', { evalId: evaluation.id });
  }

  private async markFailureOrRetry(message: string, retryable: boolean): Promise<void> {
    const { job, runId, log } = this.taken;
    const final = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    log.error(final ? 'run failed' : 'run attempt failed; will retry', { error: message });
    // When storage refuses writes, run.json cannot say so either; the job's failedReason in Redis still does.
    await (final ? this.deps.runs.markFailed(runId, message) : this.deps.runs.markQueued(runId, { error: message })).catch((error: unknown) =>
      log.error('could not record the failure in run.json', { error: String(error) }),
    );
  }
}

function failure(message: string, retryable: boolean, reason: FailureReason): Error {
  return tagFailure(retryable ? new Error(message) : new UnrecoverableError(message), reason);
}

/** What run.json says of the run's progress once the epoch of `message` is recorded. */
function epochProgressOf(message: Extract<ChildMessage, { type: 'epoch' }>): Pick<RunRecord, 'epoch' | 'latestMetrics' | 'best'> {
  return { epoch: message.epoch + 1, latestMetrics: message.record, best: message.best };
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
