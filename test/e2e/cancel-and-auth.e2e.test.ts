import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochMetrics, RunRecord } from '../../shared/contracts/run-record.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { AelabStack } from '../support/aelab-stack.ts';

/** Long enough that a worker can be killed in the middle of it. */
const LONG_RUN = {
  configPath: 'configs/smoke/baseline.yaml',
  overrides: { 'trainer.params.nr_epochs': 8 },
};

async function epochsOf(stack: AelabStack, id: string): Promise<number[]> {
  const text = await new LocalArtifactStore(stack.storage).readText(runPaths(id).metrics);
  return text.trim().split('\n').map((line) => (JSON.parse(line) as EpochMetrics).epoch);
}

describe('workers that die or are stopped', () => {
  let stack: AelabStack;

  beforeAll(async () => {
    stack = await AelabStack.start({ label: 'e2e-faults', workers: 2 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('SIGKILL of the worker holding a run: another worker takes it over and continues from the last epoch', async () => {
    const { body } = await stack.request<RunRecord>('POST', '/api/v1/runs', LONG_RUN);
    const holder = await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.status === 'running' && run.epoch >= 2 && run.worker !== null ? run : null;
    }, 120_000, 'two finished epochs');
    const victim = stack.workers.find((worker) => worker.child.pid === holder.worker?.pid);
    expect(victim, 'the worker named in run.json is one of ours').toBeDefined();
    const epochAtKill = holder.epoch;
    victim?.child.kill('SIGKILL');
    const killedAt = Date.now();

    await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.worker !== null && run.worker.pid !== holder.worker?.pid && run.status === 'running' ? run : null;
    }, 30_000, 'another worker to take the run over');
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(`e2e: run taken over ${takeoverSeconds.toFixed(1)} s after SIGKILL`);
    expect(takeoverSeconds).toBeLessThan(15);

    const finished = await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 180_000, 'the run to finish');
    expect(finished.status).toBe('completed');
    // run.json counts an epoch only after its checkpoint is written, so nothing before epochAtKill is redone.
    expect(finished.resumedFrom?.epoch).toBeGreaterThanOrEqual(epochAtKill);
    expect(finished.attempts).toBeGreaterThanOrEqual(2);
    expect(await epochsOf(stack, body.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('SIGTERM: the batch finishes, the job goes back to the queue at once and another worker continues it', async () => {
    while (stack.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length < 2) stack.addWorker();
    const { body } = await stack.request<RunRecord>('POST', '/api/v1/runs', LONG_RUN);
    const holder = await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.status === 'running' && run.epoch >= 1 && run.worker !== null ? run : null;
    }, 120_000, 'a finished epoch');
    const worker = stack.workers.find((w) => w.child.pid === holder.worker?.pid);
    const exited = new Promise((resolve) => worker?.child.once('exit', resolve));
    worker?.child.kill('SIGTERM');
    const stoppedAt = Date.now();
    await exited;
    expect(worker?.child.exitCode).toBe(0);

    await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.worker !== null && run.worker.pid !== holder.worker?.pid && run.status === 'running' ? run : null;
    }, 30_000, 'another worker to take the run');
    const handOverSeconds = (Date.now() - stoppedAt) / 1000;
    console.log(`e2e: run taken by another worker ${handOverSeconds.toFixed(1)} s after SIGTERM`);
    // Under the 10 s lock expiry: the job was handed back, not detected as stalled.
    expect(handOverSeconds).toBeLessThan(8);
    const continued = await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.resumedFrom !== null ? run : null;
    }, 60_000, 'the run to resume from its checkpoint');
    expect(continued.resumedFrom?.epoch).toBeGreaterThanOrEqual(1);

    const finished = await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 180_000, 'the run to finish');
    expect(finished.status).toBe('completed');
    expect(await epochsOf(stack, body.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('cancel stops a running run between batches and keeps its last checkpoint', async () => {
    const { body } = await stack.request<RunRecord>('POST', '/api/v1/runs', LONG_RUN);
    await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.status === 'running' && run.epoch >= 1 ? run : null;
    }, 120_000, 'a finished epoch');
    const cancelled = await stack.request<RunRecord & { cancelRequested?: boolean }>('POST', `/api/v1/runs/${body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    const requestedAt = Date.now();
    const finished = await stack.waitFor(async () => {
      const run = await stack.run(body.id);
      return run.status === 'cancelled' ? run : null;
    }, 20_000, 'the run to be cancelled');
    console.log(`e2e: running run cancelled ${((Date.now() - requestedAt) / 1000).toFixed(1)} s after the request`);
    expect(finished.epoch).toBeLessThan(8);
    expect(await new LocalArtifactStore(stack.storage).resolveAlias(runPaths(body.id).latest)).not.toBeNull();
    const again = await stack.request<{ error: string }>('POST', `/api/v1/runs/${body.id}/cancel`);
    expect(again.status).toBe(409);
  });
});

describe('queued runs and the API token', () => {
  let stack: AelabStack;
  const token = 'test-token-with-some-entropy';

  beforeAll(async () => {
    stack = await AelabStack.start({ label: 'e2e-auth', workers: 0, apiToken: token });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 401 without the token on every route but /healthz', async () => {
    expect((await stack.request('GET', '/healthz')).status).toBe(200);
    expect((await stack.request('GET', '/api/v1/runs')).status).toBe(401);
    expect((await stack.request('GET', '/api/v1/runs', undefined, 'wrong')).status).toBe(401);
    expect((await stack.request('POST', '/api/v1/runs', LONG_RUN)).status).toBe(401);
    expect((await fetch(`${stack.baseUrl}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${stack.baseUrl}/metrics`)).status).toBe(401);
    expect((await stack.request('GET', '/api/v1/runs', undefined, token)).status).toBe(200);
  });

  it('cancels a queued run at once (no worker needed)', async () => {
    const { status, body } = await stack.request<RunRecord>('POST', '/api/v1/runs', LONG_RUN, token);
    expect(status).toBe(202);
    const cancelled = await stack.request<RunRecord>('POST', `/api/v1/runs/${body.id}/cancel`, undefined, token);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await stack.run(body.id, token)).status).toBe('cancelled');
  });
});
