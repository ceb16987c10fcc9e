import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { loadCheckpoint } from '../../shared/ml/training/checkpoint.ts';
import { freePort } from '../../shared/queue/local-redis.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { prometheusSample } from '../support/prometheus-sample.ts';
import { epochsLogged, finished, range, runningWithEpochs, slowSyntheticRun, submitRun } from '../support/fault-runs.ts';

describe('a diverging run and an API restart, watched through the worker metrics', () => {
  let stack: AelabStack;
  let metricsUrl: string;

  beforeAll(async () => {
    await selectBackend('cpu');
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    stack = await AelabStack.start({ label: 'faults-nan', workers: 1, env: { AELAB_METRICS_PORT: String(metricsPort), AELAB_METRICS_HOST: '127.0.0.1' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('NaN loss: the run fails with "diverged at epoch N" without retries and keeps its best checkpoint', { timeout: 120_000 }, async () => {
    const id = await submitRun(stack, slowSyntheticRun({ epochs: 6, secondsPerEpoch: 0.2, divergeAtEpoch: 3 }));
    const run = await finished(stack, id);
    console.log(`faults: diverging run → ${run.status}: ${run.error}`);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^diverged at epoch 3: training loss is NaN/);
    expect(run.attempts).toBe(1);
    const best = await loadCheckpoint(new LocalArtifactStore(stack.storage), id, 'best');
    expect(best?.rejected).toEqual([]);
    expect(best?.state.position).toEqual({ epoch: 3, batch: 0 });
    expect(await epochsLogged(stack, id)).toEqual(range(3));

    const metrics = await (await fetch(metricsUrl)).text();
    expect(prometheusSample(metrics, 'aelab_job_failures_total', { queue: 'train', reason: 'diverged' })).toBe(1);
    expect(prometheusSample(metrics, 'aelab_epochs_total', { model: 'synthetic_objective' })).toBe(3);
    expect(prometheusSample(metrics, 'aelab_train_images_per_second', { model: 'synthetic_objective' })).toBeGreaterThan(0);
    expect(prometheusSample(metrics, 'aelab_job_duration_seconds_count', { queue: 'train', outcome: 'failed' })).toBe(1);
    expect(metrics).toMatch(/worker="[^"]+:\d+"/);
  });

  it('the API killed and restarted while a run trains: nothing changes for the run', { timeout: 180_000 }, async () => {
    const epochs = 8;
    const id = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 1 }));
    const before = await runningWithEpochs(stack, id, 2);
    await stack.restartApi();
    const during = await stack.run(id);
    expect(during.status).toBe('running');

    const run = await finished(stack, id);
    expect(run.status).toBe('completed');
    expect(run.attempts).toBe(1);
    expect(run.worker?.pid).toBe(before.worker?.pid);
    expect(await epochsLogged(stack, id)).toEqual(range(epochs));
    const metrics = await (await fetch(metricsUrl)).text();
    expect(prometheusSample(metrics, 'aelab_job_duration_seconds_count', { queue: 'train', outcome: 'completed' })).toBe(1);
  });
});
