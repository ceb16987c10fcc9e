import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAILURE_REASONS, type FailureReason } from './failure-reason.ts';

/**
 * A worker's Prometheus registry. Every series carries the `worker` label (host:pid, as
 * in the logs), so a dashboard can tell the GPUs of a cluster apart.
 */
export function createWorkerMetrics(worker: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ worker });
  collectDefaultMetrics({ register: registry, prefix: 'aelab_worker_' });
  const jobDuration = new Histogram({
    name: 'aelab_job_duration_seconds',
    help: 'Wall-clock time a worker spent on a job, by queue and outcome (completed, failed, requeued)',
    labelNames: ['queue', 'outcome'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 48 * 3600],
    registers: [registry],
  });
  const epochs = new Counter({
    name: 'aelab_epochs_total',
    help: 'Training epochs finished (validated and checkpointed), by model',
    labelNames: ['model'],
    registers: [registry],
  });
  const imagesPerSecond = new Gauge({
    name: 'aelab_train_images_per_second',
    help: 'Training throughput of the last finished epoch, by model',
    labelNames: ['model'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'aelab_job_failures_total',
    help: `Job attempts that failed, by queue and reason (${FAILURE_REASONS.join(', ')})`,
    labelNames: ['queue', 'reason'],
    registers: [registry],
  });
  return {
    registry,
    jobFinished(queue: string, outcome: 'completed' | 'failed' | 'requeued', seconds: number): void {
      jobDuration.observe({ queue, outcome }, seconds);
    },
    epochFinished(model: string, imagesPerSecondOfEpoch: number): void {
      epochs.inc({ model });
      if (Number.isFinite(imagesPerSecondOfEpoch)) imagesPerSecond.set({ model }, imagesPerSecondOfEpoch);
    },
    jobFailed(queue: string, reason: FailureReason): void {
      failures.inc({ queue, reason });
    },
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** Serves `GET /metrics` (and nothing else) on `port`; resolves once listening. */
export async function serveMetrics(metrics: WorkerMetrics, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'only GET /metrics is served here' }));
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
