/**
 * `npm run worker`: one worker process per GPU (pin it with CUDA_VISIBLE_DEVICES).
 * It labels itself (its backend's `gpu` or `cpu` and name, plus AELAB_WORKER_LABELS),
 * consumes the train and evaluate queues whose requirements those labels satisfy, and
 * runs one job at a time, in a child process. SIGTERM or SIGINT:
 * the running batch finishes, a checkpoint is written, the job goes back to the queue,
 * and the process exits.
 */
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { SweepJob } from '../../shared/contracts/sweep-job.ts';
import { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import { queuePrefix, SWEEP_QUEUE } from '../../shared/contracts/queue-names.ts';
import { portFromEnv } from '../../shared/config/port-from-env.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { RedisOutageReporter } from '../../shared/observability/redis-outage-reporter.ts';
import { createWorkerMetrics, serveMetrics, type WorkerMetrics } from '../../shared/observability/worker-metrics.ts';
import { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { TrialEndSignal, type TrialStage } from '../../shared/queue/trial-end-signal.ts';
import { TRAIN_WORKER_SETTINGS } from '../../shared/queue/queue-settings.ts';
import { createWorkerConnection, describeRedisUrl, redisUrl } from '../../shared/queue/redis-connection.ts';
import { requestReconcile } from '../../shared/recovery/reconcile-requests.ts';
import { FairShareGate, submitterOf } from '../../shared/routing/fair-share-gate.ts';
import type { RoutedKind } from '../../shared/routing/routed-queue-name.ts';
import { RoutedQueues } from '../../shared/routing/routed-queues.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { detectWorkerLabels } from './detect-worker-labels.ts';
import { createEvaluateProcessor } from './evaluate-processor.ts';
import { measuredProcessor } from './measured-processor.ts';
import { createSweepProcessor } from './sweep-processor.ts';
import { RoutedWorkers } from './routed-workers.ts';
import { createTrainProcessor } from './train-processor.ts';
import { announcingTrialEnd } from './trial-end-announcer.ts';

/** Sweep controllers one worker process runs at once; each mostly waits for its trials. */
const SWEEPS_PER_WORKER = 64;

/** How this process is named in logs and metrics: the host and pid, as in run.json. */
const WORKER_NAME = `${hostname()}:${process.pid}`;
const logger = createLogger('worker', { worker: WORKER_NAME });

/**
 * The worker process: its Redis connection, the routed train and evaluate workers, the
 * sweep controllers, and the shutdown that hands a running job back. The processors
 * register their preemption and lost-lock handlers here once they exist.
 */
class WorkerProcess {
  private shuttingDown = false;
  private preemptRunning: () => void = () => undefined;
  private lockLost: (jobIds: string[]) => void = () => undefined;
  private evaluationLockLost: (jobIds: string[]) => void = () => undefined;
  private readonly connection = createWorkerConnection();
  private readonly outage = new RedisOutageReporter(logger);
  private readonly queues = new RoutedQueues(this.connection);
  private readonly routing = { queues: this.queues, fairShare: new FairShareGate(this.connection, this.queues) };
  private readonly trialEnds = new TrialEndSignal(createWorkerConnection());
  private readonly cancel = new CancelChannel(this.connection);

  constructor(
    private readonly store: ArtifactStore,
    private readonly metrics: WorkerMetrics,
  ) {}

  async start(): Promise<void> {
    this.watchConnection();
    const { labels, backend } = await detectWorkerLabels();
    const routed = this.routedWorkers(labels);
    await this.trialEnds.start();
    const sweeper = this.sweepWorker();
    await routed.start();
    await Promise.all([...routed.all().map((worker) => worker.waitUntilReady()), sweeper.waitUntilReady()]);
    // Jobs a crashed process left parked behind the per-user cap are admitted again.
    await this.routing.fairShare.recover(await this.queues.names());
    logger.info('worker ready', {
      redis: describeRedisUrl(redisUrl()),
      storage: this.store.location,
      prefix: queuePrefix(),
      labels,
      backend,
      queues: [...routed.queueNames(), SWEEP_QUEUE],
    });
    process.on('SIGTERM', () => this.shutdown('SIGTERM', routed, sweeper));
    process.on('SIGINT', () => this.shutdown('SIGINT', routed, sweeper));
  }

  private watchConnection(): void {
    this.connection.on('error', this.outage.listener('redis connection'));
    this.connection.on('ready', () => {
      // Redis may have come back empty (no persistence, a failover): the API's reconciler rebuilds lost jobs from storage.
      if (this.outage.ready()) requestReconcile(this.connection, `worker ${WORKER_NAME} reconnected to Redis`).catch((error: unknown) => logger.warn('could not ask for a reconciler pass', { error: String(error) }));
    });
  }

  /** The train and evaluate workers of every queue this worker's labels satisfy. */
  private routedWorkers(labels: string[]): RoutedWorkers {
    const { store, metrics, routing, connection } = this;
    const trialEnded = (sweepJobId: string, stage: TrialStage = 'ended') =>
      void TrialEndSignal.publish(connection, sweepJobId, stage).catch((error: unknown) => logger.warn('could not signal the end of a trial', { sweepJobId, stage, error: String(error) }));
    const trainProcessor = createTrainProcessor({
      store,
      metrics,
      evaluations: new EvaluationRepository(store),
      routing,
      runs: new RunRepository(store),
      cancel: this.cancel,
      logger,
      shuttingDown: () => this.shuttingDown,
      onShutdown: (preempt) => {
        this.preemptRunning = preempt;
      },
      onLockLost: (handler) => {
        this.lockLost = handler;
      },
      trialTrained: trialEnded,
    });
    const evaluateProcessor = createEvaluateProcessor({
      store,
      logger,
      onLockLost: (handler) => {
        this.evaluationLockLost = handler;
      },
    });
    return new RoutedWorkers({
      connection,
      queues: this.queues,
      labels,
      processors: { train: measuredProcessor('train', metrics, announcingTrialEnd(trainProcessor, trialEnded)), evaluate: measuredProcessor('evaluate', metrics, evaluateProcessor) },
      settings: TRAIN_WORKER_SETTINGS,
      logger,
      onWorker: (worker, kind) =>
        watchRoutedWorker(worker, kind, {
          outage: this.outage,
          fairShare: routing.fairShare,
          lockLost: (jobIds) => (kind === 'train' ? this.lockLost(jobIds) : this.evaluationLockLost(jobIds)),
          trialEnded,
        }),
    });
  }

  /**
   * Sweep controllers only read storage and queue jobs, and mostly wait for their trials:
   * many run side by side in this process, outside the job slot.
   */
  private sweepWorker(): Worker<SweepJob> {
    const { store, routing, connection, trialEnds } = this;
    const processor = createSweepProcessor({ store, routing, cancel: this.cancel, logger, trialEnds, shuttingDown: () => this.shuttingDown });
    const sweeper = new Worker<SweepJob>(SWEEP_QUEUE, measuredProcessor(SWEEP_QUEUE, this.metrics, processor), {
      connection,
      prefix: queuePrefix(),
      concurrency: SWEEPS_PER_WORKER,
      ...TRAIN_WORKER_SETTINGS,
    });
    sweeper.on('error', this.outage.listener('sweep worker'));
    return sweeper;
  }

  private shutdown(signal: string, routed: RoutedWorkers, sweeper: Worker<SweepJob>): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    logger.info('shutting down: finishing the batch and handing the job back', { signal });
    this.preemptRunning();
    this.trialEnds.wakeAll();
    void Promise.all([routed.close(), sweeper.close(), this.queues.close()]).then(
      async () => {
        await this.connection.quit().catch(() => undefined);
        this.trialEnds.close();
        logger.info('worker stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('worker did not close cleanly', { error: String(error) });
        process.exit(1);
      },
    );
  }
}

async function main(): Promise<void> {
  const store = openArtifactStore();
  await store.checkWritable();
  const metrics = createWorkerMetrics(WORKER_NAME);
  await serveMetricsWhenAsked(metrics);
  await new WorkerProcess(store, metrics).start();
}

/** With AELAB_METRICS_PORT set, this worker's Prometheus `/metrics` is served there. */
async function serveMetricsWhenAsked(metrics: WorkerMetrics): Promise<void> {
  const metricsPort = portFromEnv('AELAB_METRICS_PORT');
  if (metricsPort === null) return;
  const server = await serveMetrics(metrics, metricsPort, process.env.AELAB_METRICS_HOST ?? '0.0.0.0');
  const address = server.address();
  logger.info('worker metrics served', { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : metricsPort}/metrics` });
}

/**
 * Listeners of one train or evaluate Worker: Redis errors to the outage log, lost locks
 * to its processor, every job end to the per-user gate, since an ended job frees a place
 * in its submitter's share (AELAB_MAX_RUNNING_PER_USER), and a sweep trial's acknowledged
 * job to its sweep, which may be waiting for it to complete.
 */
function watchRoutedWorker(
  worker: Worker,
  kind: RoutedKind,
  context: { outage: RedisOutageReporter; fairShare: FairShareGate; lockLost: (jobIds: string[]) => void; trialEnded: (sweepJobId: string, stage?: TrialStage) => void },
): void {
  const rebalanceShare = (job: Job | undefined) => {
    const user = job === undefined ? null : submitterOf(job);
    if (user !== null) context.fairShare.rebalance(user).catch((error: unknown) => logger.warn('fair-share rebalance failed', { user, error: String(error) }));
  };
  worker.on('error', context.outage.listener(`${worker.name} worker`));
  worker.on('completed', (job) => {
    const sweepJobId = job.parent?.id;
    if (sweepJobId !== undefined) context.trialEnded(sweepJobId, 'acknowledged');
    rebalanceShare(job);
  });
  worker.on('failed', (job, error) => {
    if (kind === 'train') logger.warn('train job failed', { jobId: job?.id, error: error.message });
    // A completed trial was announced by its processor (announcingTrialEnd); a failed one is announced here.
    const sweepJobId = job?.parent?.id;
    if (sweepJobId !== undefined) {
      context.trialEnded(sweepJobId);
      context.trialEnded(sweepJobId, 'acknowledged');
    }
    rebalanceShare(job);
  });
  worker.on('lockRenewalFailed', context.lockLost);
}

main().catch((error: unknown) => {
  logger.error('worker could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
