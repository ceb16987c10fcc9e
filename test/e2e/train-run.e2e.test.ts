import { describe, expect, it } from 'vitest';
import type { EpochMetrics, RunRecord } from '../../shared/contracts/run-record.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { useAelabStack } from '../support/use-aelab-stack.ts';
import { reloadedValidationLoss } from '../support/reload-checkpoint.ts';

describe('a training run from HTTP through Redis to a worker and back to storage', () => {
  const stack = useAelabStack({ label: 'e2e-train', workers: 2, env: { AELAB_THREADS: '1' } });

  it('trains the smoke config to completion and stores record, metrics and checkpoints', async () => {
    const started = Date.now();
    const submitted = await stack().request<RunRecord>('POST', '/api/v1/runs', {
      configPath: 'configs/smoke/baseline.yaml',
      overrides: { 'trainer.params.nr_epochs': 3 },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status).toBe('queued');
    const id = submitted.body.id;

    const finished = await stack().waitFor(async () => {
      const run = await stack().run(id);
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 120_000, `run ${id} to finish`);
    console.log(`e2e: smoke run of 3 epochs finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(finished.error).toBeNull();
    expect(finished.status).toBe('completed');
    expect(finished.epoch).toBe(3);
    expect(finished.worker?.backend).toBe('cpu');
    // AELAB_THREADS reaches the training process and is recorded with the device.
    expect(finished.worker?.threads).toBe(1);
    expect(finished.worker?.device).toContain('1 thread');
    expect(finished.best?.metric).toBeTruthy();

    const store = new LocalArtifactStore(stack().storage);
    const paths = runPaths(id);
    const stored = JSON.parse(await store.readText(paths.runRecord)) as RunRecord;
    expect(stored.status).toBe('completed');
    expect(stored.configHash).toMatch(/^[0-9a-f]{64}$/);
    const lines = (await store.readText(paths.metrics)).trim().split('\n').map((line) => JSON.parse(line) as EpochMetrics);
    expect(lines.map((line) => line.epoch)).toEqual([0, 1, 2]);
    expect(await store.resolveAlias(paths.latest)).not.toBeNull();
    expect(await store.resolveAlias(paths.best)).not.toBeNull();

    const metrics = await stack().request<{ epochs: EpochMetrics[] }>('GET', `/api/v1/runs/${id}/metrics`);
    expect(metrics.body.epochs).toHaveLength(3);
    const config = await fetch(`${stack().baseUrl}/api/v1/runs/${id}/artifacts/config.yaml`);
    expect(config.status).toBe(200);
    expect(await config.text()).toContain('nr_epochs: 3');

    // The latest checkpoint, reloaded, computes the validation loss its last epoch recorded.
    const last = lines[2] as EpochMetrics & { val: Record<string, number> };
    const reloaded = await reloadedValidationLoss(store, id, 'latest');
    expect(Math.abs(reloaded - last.val.loss_prec)).toBeLessThan(1e-5);
  });

  it('lists runs with paging and a status filter', async () => {
    const all = await stack().request<{ runs: RunRecord[]; total: number }>('GET', '/api/v1/runs?limit=1');
    expect(all.status).toBe(200);
    expect(all.body.runs).toHaveLength(1);
    const completed = await stack().request<{ runs: RunRecord[] }>('GET', '/api/v1/runs?status=completed');
    expect(completed.body.runs.every((run) => run.status === 'completed')).toBe(true);
    const bad = await stack().request<{ error: string }>('GET', '/api/v1/runs?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/status/);
  });

  it('refuses a config that names an unknown model, listing the known ones', async () => {
    const response = await stack().request<{ error: string }>('POST', '/api/v1/runs', {
      configPath: 'configs/smoke/baseline.yaml',
      overrides: { 'model.module_name': 'model_zoo.nothing', 'model.class_name': 'Nothing' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/conv_autoencoder/);
  });

  it('serves nothing outside the run folder', async () => {
    const runs = await stack().request<{ runs: RunRecord[] }>('GET', '/api/v1/runs');
    const id = runs.body.runs[0].id;
    for (const path of ['../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd']) {
      const response = await fetch(`${stack().baseUrl}/api/v1/runs/${id}/artifacts/${path}`);
      expect(response.status, path).toBe(404);
    }
  });
});

describe('MorphAEus through the queue on the default backend (AELAB_BACKEND=auto)', () => {
  const stack = useAelabStack({ label: 'e2e-morph', workers: 1, env: { AELAB_BACKEND: 'auto' } });

  it('trains the MorphAEus smoke config through the queue, morph loss on', { timeout: 240_000 }, async () => {
    const started = Date.now();
    const submitted = await stack().request<RunRecord>('POST', '/api/v1/runs', { configPath: 'configs/smoke/morphaeus.yaml' });
    expect(submitted.status).toBe(202);
    const finished = await stack().waitFor(async () => {
      const run = await stack().run(submitted.body.id);
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 240_000, 'the MorphAEus smoke run to finish');
    console.log(`e2e: MorphAEus smoke run (${finished.totalEpochs} epochs) finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(finished.error).toBeNull();
    expect(finished.best?.metric).toBe('val.loss_mse');
    const epochs = (await stack().request<{ epochs: (EpochMetrics & { train: Record<string, number> })[] }>('GET', `/api/v1/runs/${finished.id}/metrics`)).body.epochs;
    expect(epochs).toHaveLength(finished.totalEpochs);
    expect(epochs[0].train.loss_ncc).toBeUndefined();
    expect(epochs.at(-1)?.train.loss_ncc).toBeGreaterThan(0);
  });
});
