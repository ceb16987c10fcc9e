import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { useAelabStack } from '../support/use-aelab-stack.ts';

/** Long enough to be cancelled while it trains. */
const LONG_RUN = {
  configPath: 'configs/smoke/baseline.yaml',
  overrides: { 'trainer.params.nr_epochs': 8 },
};

describe('cancelling a running run', () => {
  const stack = useAelabStack({ label: 'e2e-cancel', workers: 1 });

  it('cancel stops a running run between batches and keeps its last checkpoint', async () => {
    const { body } = await stack().request<RunRecord>('POST', '/api/v1/runs', LONG_RUN);
    await stack().waitFor(async () => {
      const run = await stack().run(body.id);
      return run.status === 'running' && run.epoch >= 1 ? run : null;
    }, 120_000, 'a finished epoch');
    const cancelled = await stack().request<RunRecord & { cancelRequested?: boolean }>('POST', `/api/v1/runs/${body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    const requestedAt = Date.now();
    const finished = await stack().waitFor(async () => {
      const run = await stack().run(body.id);
      return run.status === 'cancelled' ? run : null;
    }, 20_000, 'the run to be cancelled');
    console.log(`e2e: running run cancelled ${((Date.now() - requestedAt) / 1000).toFixed(1)} s after the request`);
    expect(finished.epoch).toBeLessThan(8);
    expect(await new LocalArtifactStore(stack().storage).resolveAlias(runPaths(body.id).latest)).not.toBeNull();
    const again = await stack().request<{ error: string }>('POST', `/api/v1/runs/${body.id}/cancel`);
    expect(again.status).toBe(409);
  });
});

describe('queued runs and the API token', () => {
  const token = 'test-token-with-some-entropy';
  const stack = useAelabStack({ label: 'e2e-auth', workers: 0, apiToken: token });

  it('answers 401 without the token on every route but /healthz', async () => {
    expect((await stack().request('GET', '/healthz')).status).toBe(200);
    expect((await stack().request('GET', '/api/v1/runs')).status).toBe(401);
    expect((await stack().request('GET', '/api/v1/runs', undefined, 'wrong')).status).toBe(401);
    expect((await stack().request('POST', '/api/v1/runs', LONG_RUN)).status).toBe(401);
    expect((await fetch(`${stack().baseUrl}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${stack().baseUrl}/metrics`)).status).toBe(401);
    expect((await stack().request('GET', '/api/v1/runs', undefined, token)).status).toBe(200);
  });

  it('cancels a queued run at once (no worker needed)', async () => {
    const { status, body } = await stack().request<RunRecord>('POST', '/api/v1/runs', LONG_RUN, token);
    expect(status).toBe(202);
    const cancelled = await stack().request<RunRecord>('POST', `/api/v1/runs/${body.id}/cancel`, undefined, token);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await stack().run(body.id, token)).status).toBe('cancelled');
  });
});
