import { describe, expect, it } from 'vitest';
import type { EpochMetrics, RunRecord } from '../../shared/contracts/run-record.ts';
import type { SweepRecord, TrialView } from '../../shared/sweep/sweep-record.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { useAelabStack } from '../support/use-aelab-stack.ts';
import { slowSyntheticGrid } from '../support/fault-runs.ts';

type SweepView = SweepRecord & { trials: TrialView[]; best: { runId: string; value: number } | null; leaderboard: unknown[] };

describe('sweeps over a pool of three worker processes', () => {
  const stack = useAelabStack({ label: 'e2e-sweep', workers: 3, env: { AELAB_BACKEND: 'auto' } });

  async function finish(id: string): Promise<SweepView> {
    return stack().waitFor(async () => {
      const { body } = await stack().request<SweepView>('GET', `/api/v1/sweeps/${id}`);
      return body.status === 'completed' || body.status === 'failed' || body.status === 'cancelled' ? body : null;
    }, 300_000, `sweep ${id} to finish`);
  }

  async function epochsRun(runId: string): Promise<number[]> {
    const text = await new LocalArtifactStore(stack().storage).readText(runPaths(runId).metrics);
    return text.trim().split('\n').map((line) => (JSON.parse(line) as EpochMetrics).epoch);
  }

  it('a grid sweep of 6 synthetic trials completes with exactly 6 runs', { timeout: 360_000 }, async () => {
    const started = Date.now();
    const submitted = await stack().request<SweepView>('POST', '/api/v1/sweeps', { configPath: 'configs/sweeps/synthetic-grid.yaml' });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const sweep = await finish(submitted.body.id);
    console.log(`e2e: grid sweep of 6 trials finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(sweep.status).toBe('completed');
    expect(sweep.trials).toHaveLength(6);
    expect(new Set(sweep.trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
    const runs = await stack().request<{ runs: RunRecord[] }>('GET', '/api/v1/runs?limit=500');
    expect(runs.body.runs.filter((run) => run.id.startsWith(sweep.id))).toHaveLength(6);
    // The synthetic objective is smallest at lr 1e-3 and x 0.3.
    expect(sweep.best?.runId).toBe(sweep.trials.find((t) => t.params['trainer.params.optimizer_params.lr'] === 1e-3 && t.params['model.params.x'] === 0.3)?.runId);
    for (const trial of sweep.trials) {
      const epochs = await epochsRun(trial.runId);
      expect(epochs, `trial ${trial.index} trained every epoch once`).toEqual(Array.from({ length: trial.epochsRun }, (_, i) => i));
      expect(trial.epochsRun).toBe(4);
    }
  });

  it('an ASHA sweep stops at least half of its trials at the first rung', { timeout: 360_000 }, async () => {
    const started = Date.now();
    const submitted = await stack().request<SweepView>('POST', '/api/v1/sweeps', { configPath: 'configs/smoke/sweep.yaml' });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const sweep = await finish(submitted.body.id);
    console.log(`e2e: ASHA smoke sweep (8 trials) finished in ${((Date.now() - started) / 1000).toFixed(1)} s; epochs per trial: ${sweep.trials.map((t) => t.epochsRun).join(', ')}`);
    expect(sweep.status).toBe('completed');
    expect(sweep.trials).toHaveLength(8);
    const lengths = await Promise.all(sweep.trials.map(async (trial) => (await epochsRun(trial.runId)).length));
    expect(lengths.filter((n) => n === 1).length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...lengths)).toBe(4);
    for (const trial of sweep.trials) {
      const epochs = await epochsRun(trial.runId);
      expect(epochs, `trial ${trial.index} has each epoch once`).toEqual(epochs.map((_, i) => i));
    }
    // Trials are ordinary runs: the comparison table takes the sweep once its trials are evaluated.
    const table = await stack().request<{ error: string }>('GET', `/api/v1/compare?sweep=${sweep.id}`);
    expect(table.status).toBe(400);
    expect(table.body.error).toMatch(/has no completed evaluation yet/);
  });

  it('refuses a sweep over a parameter the config does not have, naming it', async () => {
    const response = await stack().request<{ error: string }>('POST', '/api/v1/sweeps', {
      sweep: { name: 'bad', base: 'configs/smoke/baseline.yaml', method: 'random', max_trials: 2, metric: { name: 'val.loss_prec' }, parameters: { 'trainer.paramz.beta': { values: [1, 2] } } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/parameters\.trainer\.paramz\.beta/);
  });

  const slowGrid = (name: string) => slowSyntheticGrid(name, 0.75);

  it('every worker SIGKILLed mid-sweep: new workers finish it with no trial lost or run twice', { timeout: 360_000 }, async () => {
    const submitted = await stack().request<SweepView>('POST', '/api/v1/sweeps', slowGrid('killed'));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    await stack().waitFor(async () => {
      const { body } = await stack().request<SweepView>('GET', `/api/v1/sweeps/${submitted.body.id}`);
      return body.trials.some((t) => t.status !== 'running') && body.trials.some((t) => t.status === 'running') ? body : null;
    }, 120_000, 'a finished and a running trial');
    for (const worker of stack().workers) worker.child.kill('SIGKILL');
    for (let i = 0; i < 3; i += 1) stack().addWorker();

    const sweep = await finish(submitted.body.id);
    expect(sweep.status).toBe('completed');
    expect(sweep.trials).toHaveLength(6);
    expect(new Set(sweep.trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
    const runs = await stack().request<{ runs: RunRecord[] }>('GET', '/api/v1/runs?limit=500');
    expect(runs.body.runs.filter((run) => run.id.startsWith(sweep.id))).toHaveLength(6);
    for (const trial of sweep.trials) expect(await epochsRun(trial.runId), `trial ${trial.index}`).toEqual([0, 1, 2, 3]);
  });

  it('cancel stops the running trials after their batch and removes the waiting ones', { timeout: 360_000 }, async () => {
    const submitted = await stack().request<SweepView>('POST', '/api/v1/sweeps', slowGrid('cancelled'));
    await stack().waitFor(async () => {
      const { body } = await stack().request<SweepView>('GET', `/api/v1/sweeps/${submitted.body.id}`);
      const running = await Promise.all(body.trials.map((t) => stack().run(t.runId).catch(() => null)));
      return running.filter((run) => run?.status === 'running' && run.epoch >= 1).length >= 1 ? body : null;
    }, 120_000, 'a trial training');
    const requestedAt = Date.now();
    const cancel = await stack().request<SweepView>('POST', `/api/v1/sweeps/${submitted.body.id}/cancel`);
    expect(cancel.status).toBe(202);
    const sweep = await finish(submitted.body.id);
    const seconds = (Date.now() - requestedAt) / 1000;
    console.log(`e2e: sweep cancelled ${seconds.toFixed(1)} s after the request`);
    expect(sweep.status).toBe('cancelled');
    expect(seconds).toBeLessThan(20);
    expect(sweep.trials.length).toBeLessThan(6);
    for (const trial of sweep.trials) {
      const run = await stack().run(trial.runId);
      expect(['completed', 'cancelled']).toContain(run.status);
    }
    expect((await stack().request('POST', `/api/v1/sweeps/${submitted.body.id}/cancel`)).status).toBe(409);
  });
});
