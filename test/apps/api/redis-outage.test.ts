import { join, resolve } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDeps } from '../../../apps/api/app-deps.ts';
import { createApp } from '../../../apps/api/create-app.ts';
import { createLogger } from '../../../shared/observability/logger.ts';
import { createApiConnection } from '../../../shared/queue/redis-connection.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { RestartableRedis, restartableRedisMissing } from '../../support/restartable-redis.ts';

const missing = restartableRedisMissing();
if (missing !== null) console.log(`skipping the Redis outage test: ${missing}`);

describe.skipIf(missing !== null)('the API while Redis is away', () => {
  let app: Express;
  let server: RestartableRedis;
  let disconnect: () => void;

  beforeAll(async () => {
    server = await RestartableRedis.start();
    const redis = createApiConnection(server.url);
    redis.on('error', () => undefined);
    disconnect = () => redis.disconnect();
    const deps = appDeps({
      redis,
      store: new LocalArtifactStore(join(server.directory, 'storage')),
      logger: createLogger('outage-test'),
      configsDir: resolve('configs'),
      apiToken: undefined,
      version: 'test',
    });
    for (const queue of Object.values(deps.queues)) queue.on('error', () => undefined);
    app = createApp(deps);
  });

  afterAll(async () => {
    disconnect();
    await server.stop();
  });

  it('answers 503 with a clear body at once, and works again when Redis is back', async () => {
    expect((await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml' })).status).toBe(202);

    await server.kill();
    const started = Date.now();
    const refused = await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/Redis/);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.storage).toBe('ok');
    // The run that could not be queued is recorded as failed, not left "queued" forever.
    const failed = await request(app).get('/api/v1/runs?status=failed');
    expect(failed.body.runs[0].error).toMatch(/could not be queued/);

    await server.restart();
    const back = await (async () => {
      for (let i = 0; i < 50; i += 1) {
        const answer = await request(app).post('/api/v1/runs').send({ configPath: 'configs/smoke/baseline.yaml' });
        if (answer.status === 202) return answer;
        await new Promise((r) => setTimeout(r, 200));
      }
      return null;
    })();
    expect(back?.status).toBe(202);
  });
});
