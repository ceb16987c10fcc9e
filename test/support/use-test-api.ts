import { resolve } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll } from 'vitest';
import type { ApiToken } from '../../apps/api/api-tokens.ts';
import { appDeps, type AppSettings } from '../../apps/api/app-deps.ts';
import { type AppDeps, createApp } from '../../apps/api/create-app.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { useTempFolder } from './use-temp-folder.ts';
import { useTestRedis } from './use-test-redis.ts';

/** Who the API lets in: AELAB_API_TOKEN and the token file's entries. */
export interface ApiTokenSettings {
  apiToken: string | undefined;
  apiTokens?: readonly ApiToken[];
}

/** The API in-process, as the tests of the enclosing describe block reach it. */
export interface TestApi {
  app: Express;
  queues: AppDeps['queues'];
  /** Another app on the same Redis and storage, with other tokens. */
  appWith(tokens: ApiTokenSettings): Express;
}

/**
 * The API app on the test Redis (a private queue prefix, no workers: jobs stay queued) and
 * a temporary storage folder, for the enclosing describe block; its queues are closed after it.
 */
export function useTestApi(label: string, tokens: ApiTokenSettings = { apiToken: undefined }): () => TestApi {
  const redis = useTestRedis(label);
  const storage = useTempFolder(`aelab-${label}-`);
  const opened: AppDeps[] = [];
  let api: TestApi | undefined;
  beforeAll(() => {
    const settings: Omit<AppSettings, keyof ApiTokenSettings> = {
      redis: redis(),
      store: new LocalArtifactStore(storage()),
      logger: createLogger(`${label}-test`),
      configsDir: resolve('configs'),
      version: 'test',
    };
    const appWith = (withTokens: ApiTokenSettings): Express => {
      const deps = appDeps({ ...settings, ...withTokens });
      opened.push(deps);
      return createApp(deps);
    };
    const app = appWith(tokens);
    api = { app, queues: opened[0].queues, appWith };
  });
  afterAll(async () => {
    await Promise.all(opened.flatMap((deps) => Object.values(deps.queues).map((queue) => queue.close())));
  });
  return () => {
    if (api === undefined) throw new Error('useTestApi: the app is built in beforeAll');
    return api;
  };
}
