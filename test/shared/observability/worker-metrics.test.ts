import type { Server } from 'node:http';
import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { TrainingDivergedError } from '../../../shared/ml/training/training-diverged-error.ts';
import { failureReasonOf, tagFailure } from '../../../shared/observability/failure-reason.ts';
import { createWorkerMetrics, serveMetrics } from '../../../shared/observability/worker-metrics.ts';
import { StorageWriteError } from '../../../shared/storage/storage-write-error.ts';
import { prometheusSample } from '../../support/prometheus-sample.ts';

describe('worker metrics', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve()))));

  it('serves job durations, epochs, images/s and failures by reason, every series labelled with the worker', async () => {
    const metrics = createWorkerMetrics('gpu-node-3:4242');
    metrics.jobFinished('train', 'completed', 42);
    metrics.epochFinished('morphaeus', 118.5);
    metrics.epochFinished('morphaeus', 120.25);
    metrics.jobFailed('train', 'storage');
    server = await serveMetrics(metrics, 0, '127.0.0.1');
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const worker = 'gpu-node-3:4242';
    expect(prometheusSample(text, 'aelab_job_duration_seconds_count', { queue: 'train', outcome: 'completed', worker })).toBe(1);
    expect(prometheusSample(text, 'aelab_job_duration_seconds_sum', { queue: 'train', outcome: 'completed', worker })).toBe(42);
    expect(prometheusSample(text, 'aelab_epochs_total', { model: 'morphaeus', worker })).toBe(2);
    expect(prometheusSample(text, 'aelab_train_images_per_second', { model: 'morphaeus', worker })).toBe(120.25);
    expect(prometheusSample(text, 'aelab_job_failures_total', { queue: 'train', reason: 'storage', worker })).toBe(1);
    expect(prometheusSample(text, 'aelab_worker_process_resident_memory_bytes', { worker })).toBeGreaterThan(0);

    const elsewhere = await fetch(`http://127.0.0.1:${port}/`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({ error: 'only GET /metrics is served here' });
  });

  it('names the reason of a failure from where it came', () => {
    expect(failureReasonOf(new ConfigError('config.yaml', { key: 'model.name', message: 'unknown' }))).toBe('config');
    expect(failureReasonOf(new TrainingDivergedError(3, 'training loss is NaN'))).toBe('diverged');
    expect(failureReasonOf(new StorageWriteError('/mnt/aelab/runs/x', Object.assign(new Error('full'), { code: 'ENOSPC' })))).toBe('storage');
    expect(failureReasonOf(tagFailure(new UnrecoverableError('lost'), 'lease_lost'))).toBe('lease_lost');
    expect(failureReasonOf(new Error('something else'))).toBe('error');
  });
});
