/**
 * `npm run worker`: one worker process per GPU (pin it with CUDA_VISIBLE_DEVICES).
 * It takes one train job at a time and runs it in a child process. SIGTERM or SIGINT:
 * the running batch finishes, a checkpoint is written, the job goes back to the queue,
 * and the process exits.
 */
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import type { EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import { queuePrefix } from '../../shared/contracts/queue-names.ts';
import type { TrainJob, TrainJobResult } from '../../shared/contracts/train-job.ts';
import { portFromEnv } from '../../shared/config/port-from-env.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { RedisOutageReporter } from '../../shared/observability/redis-outage-reporter.ts';
import { createWorkerMetrics, serveMetrics } from '../../shared/observability/worker-metrics.ts';
import { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { TRAIN_WORKER_SETTINGS } from '../../shared/queue/queue-settings.ts';
import { createWorkerConnection, describeRedisUrl, redisUrl } from '../../shared/queue/redis-connection.ts';
import { requestReconcile } from '../../shared/recovery/reconcile-requests.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { createEvaluateProcessor } from './evaluate-processor.ts';
import { measuredProcessor } from './measured-processor.ts';
import { createSweepProcessor } from './sweep-processor.ts';
import { createTrainProcessor } from './train-processor.ts';

/** How this process is named in logs and metrics: the host and pid, as in run.json. */
const WORKER_NAME = `${hostname()}:${process.pid}`;
const logger = createLogger('worker', { worker: WORKER_NAME });

async function main(): Promise<void> {
  const store = openArtifactStore();
  await store.checkWritable();
  const metrics = createWorkerMetrics(WORKER_NAME);
  const metricsPort = portFromEnv('AELAB_METRICS_PORT');
  if (metricsPort !== null) {
    const server = await serveMetrics(metrics, metricsPort, process.env.AELAB_METRICS_HOST ?? '0.0.0.0');
    const address = server.address();
    logger.info('worker metrics served', { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : metricsPort}/metrics` });
  }
  const connection = createWorkerConnection();
  const outage = new RedisOutageReporter(logger);
  connection.on('error', outage.listener('redis connection'));
  connection.on('ready', () => {
    // Redis may have come back empty (no persistence, a failover): the API's reconciler rebuilds lost jobs from storage.
    if (outage.ready()) requestReconcile(connection, `worker ${WORKER_NAME} reconnected to Redis`).catch((error: unknown) => logger.warn('could not ask for a reconciler pass', { error: String(error) }));
  });

  let shuttingDown = false;
  let preemptRunning: () => void = () => undefined;
  let lockLost: (jobIds: string[]) => void = () => undefined;
  const evaluations = new EvaluationRepository(store);
  const runs = new RunRepository(store);
  const cancel = new CancelChannel(connection);
  const evaluateQueue = new Queue<EvaluateJob>('evaluate', { connection, prefix: queuePrefix() });
  evaluateQueue.on('error', outage.listener('evaluate queue'));
  const processor = createTrainProcessor({
    store,
    metrics,
    evaluations,
    evaluateQueue,
    runs,
    cancel,
    logger,
    shuttingDown: () => shuttingDown,
    onShutdown: (preempt) => {
      preemptRunning = preempt;
    },
    onLockLost: (handler) => {
      lockLost = handler;
    },
  });

  const worker = new Worker<TrainJob, TrainJobResult>('train', measuredProcessor('train', metrics, processor), {
    connection,
    prefix: queuePrefix(),
    concurrency: 1,
    ...TRAIN_WORKER_SETTINGS,
  });
  worker.on('error', outage.listener('train worker'));
  worker.on('lockRenewalFailed', (jobIds: string[]) => lockLost(jobIds));
  let evaluationLockLost: (jobIds: string[]) => void = () => undefined;
  const evaluateProcessor = createEvaluateProcessor({
    store,
    logger,
    onLockLost: (handler) => {
      evaluationLockLost = handler;
    },
  });
  const evaluator = new Worker<EvaluateJob>('evaluate', measuredProcessor('evaluate', metrics, evaluateProcessor), {
    connection,
    prefix: queuePrefix(),
    concurrency: 1,
    ...TRAIN_WORKER_SETTINGS,
  });
  evaluator.on('error', outage.listener('evaluate worker'));
  evaluator.on('lockRenewalFailed', (jobIds: string[]) => evaluationLockLost(jobIds));
  const trainQueue = new Queue<TrainJob>('train', { connection, prefix: queuePrefix() });
  trainQueue.on('error', outage.listener('train queue'));
  // Sweep controllers only read storage and queue jobs: several run side by side in this process.
  const sweeper = new Worker<{ sweepId: string }>(
    'sweep',
    measuredProcessor('sweep', metrics, createSweepProcessor({ store, trainQueue, cancel, logger })),
    { connection, prefix: queuePrefix(), concurrency: 4, ...TRAIN_WORKER_SETTINGS },
  );
  sweeper.on('error', outage.listener('sweep worker'));
  worker.on('failed', (job, error) => logger.warn('train job failed', { jobId: job?.id, error: error.message }));
  await Promise.all([worker.waitUntilReady(), evaluator.waitUntilReady(), sweeper.waitUntilReady()]);
  logger.info('worker ready', { redis: describeRedisUrl(redisUrl()), storage: store.location, prefix: queuePrefix(), queues: ['train', 'evaluate', 'sweep'] });

  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down: finishing the batch and handing the job back', { signal });
    preemptRunning();
    void Promise.all([worker.close(), evaluator.close(), sweeper.close(), evaluateQueue.close(), trainQueue.close()]).then(
      async () => {
        await connection.quit().catch(() => undefined);
        logger.info('worker stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('worker did not close cleanly', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  logger.error('worker could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
