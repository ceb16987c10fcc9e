import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { createTestCertificates, startTlsRedis, tlsToolsMissing, type TestCertificates, type TlsRedis } from '../support/tls-redis.ts';

const PASSWORD = 'e2e-tls-password-8c2a';
const missing = tlsToolsMissing();
if (missing !== null) console.log(`skipping the Redis TLS stack test: ${missing}`);

describe.skipIf(missing !== null)('the API and a worker on a Redis that speaks only TLS and wants a password', () => {
  let certificates: TestCertificates;
  let redis: TlsRedis;
  let stack: AelabStack;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    redis = await startTlsRedis(certificates, PASSWORD);
    stack = await AelabStack.start({ label: 'e2e-tls', workers: 1, redisUrl: redis.url, env: { AELAB_REDIS_TLS_CA: certificates.caFile } });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    if (certificates) await rm(certificates.folder, { recursive: true, force: true });
  });

  it('queues, trains and completes a run, and logs the Redis URL without its password', async () => {
    expect((await stack.request<{ status: string }>('GET', '/readyz')).status).toBe(200);
    const submitted = await stack.request<RunRecord>('POST', '/api/v1/runs', {
      configPath: 'configs/smoke/baseline.yaml',
      overrides: { 'trainer.params.nr_epochs': 1 },
    });
    expect(submitted.status).toBe(202);
    const finished = await stack.waitFor(async () => {
      const run = await stack.run(submitted.body.id);
      return run.status === 'completed' || run.status === 'failed' ? run : null;
    }, 180_000, `run ${submitted.body.id} to finish over TLS`);
    expect(finished.error).toBeNull();
    expect(finished.status).toBe('completed');
    expect(finished.epoch).toBe(1);

    const logs = [stack.api.output(), ...stack.workers.map((worker) => worker.output())].join('\n');
    expect(logs).toContain(`rediss://***@127.0.0.1:${redis.port}`);
    expect(logs).not.toContain(PASSWORD);
  });
});
