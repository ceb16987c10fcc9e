import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';

/** `/healthz`: the process answers. The one route that never needs a token. */
export function livenessRouter(): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  return router;
}

/** `/readyz`: Redis and storage reachable. */
export function readinessRouter(deps: { redis: Redis; store: ArtifactStore }): Router {
  const router = Router();
  router.get('/readyz', async (_request, response) => {
    const [redis, storage] = await Promise.all([
      withTimeout(deps.redis.ping().then(() => 'ok'), 2000),
      withTimeout(deps.store.checkWritable().then(() => 'ok'), 2000),
    ]);
    const ready = redis === 'ok' && storage === 'ok';
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', redis, storage });
  });
  return router;
}

async function withTimeout(check: Promise<string>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([check.catch((error: unknown) => (error instanceof Error ? error.message : String(error))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
