/**
 * `npm run worker`: one worker process per GPU (pin it with CUDA_VISIBLE_DEVICES).
 * It takes one train job at a time and runs it in a child process. SIGTERM or SIGINT:
 * the running batch finishes, a checkpoint is written, the job goes back to the queue,
 * and the process exits.
 */
import { Queue, Worker } from 'bullmq';
import type { EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import { queuePrefix } from '../../shared/contracts/queue-names.ts';
import type { TrainJob, TrainJobResult } from '../../shared/contracts/train-job.ts';
import { SweepRepository } from '../../shared/sweep/sweep-repository.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { TRAIN_WORKER_SETTINGS } from '../../shared/queue/queue-settings.ts';
import { createWorkerConnection, describeRedisUrl, redisUrl } from '../../shared/queue/redis-connection.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { createEvaluateProcessor } from './evaluate-processor.ts';
import { createSweepProcessor } from './sweep-processor.ts';
import { createTrainProcessor } from './train-processor.ts';

const logger = createLogger('worker');

async function main(): Promise<void> {
  const store = openArtifactStore();
  await store.checkWritable();
  const connection = createWorkerConnection();
  connection.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));

  let shuttingDown = false;
  let preemptRunning: () => void = () => undefined;
  const evaluations = new EvaluationRepository(store);
  const runs = new RunRepository(store);
  const cancel = new CancelChannel(connection);
  const evaluateQueue = new Queue<EvaluateJob>('evaluate', { connection, prefix: queuePrefix() });
  const processor = createTrainProcessor({
    storage: store.location,
    evaluations,
    evaluateQueue,
    runs,
    cancel,
    logger,
    shuttingDown: () => shuttingDown,
    onShutdown: (preempt) => {
      preemptRunning = preempt;
    },
  });

  const worker = new Worker<TrainJob, TrainJobResult>('train', processor, {
    connection,
    prefix: queuePrefix(),
    concurrency: 1,
    ...TRAIN_WORKER_SETTINGS,
  });
  worker.on('error', (error) => logger.warn('worker error', { error: error.message }));
  const evaluator = new Worker<EvaluateJob>('evaluate', createEvaluateProcessor({ storage: store.location, evaluations, logger }), {
    connection,
    prefix: queuePrefix(),
    concurrency: 1,
    ...TRAIN_WORKER_SETTINGS,
  });
  evaluator.on('error', (error) => logger.warn('evaluate worker error', { error: error.message }));
  const trainQueue = new Queue<TrainJob>('train', { connection, prefix: queuePrefix() });
  // Sweep controllers only read storage and queue jobs: several run side by side in this process.
  const sweeper = new Worker<{ sweepId: string }>(
    'sweep',
    createSweepProcessor({ store, runs, trainQueue, cancel, sweeps: new SweepRepository(store), logger }),
    { connection, prefix: queuePrefix(), concurrency: 4, ...TRAIN_WORKER_SETTINGS },
  );
  sweeper.on('error', (error) => logger.warn('sweep worker error', { error: error.message }));
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
