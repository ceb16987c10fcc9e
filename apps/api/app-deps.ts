import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import type { TrainJob } from '../../shared/contracts/train-job.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { createApiMetrics } from '../../shared/observability/prometheus-metrics.ts';
import { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { openQueues } from '../../shared/queue/queues.ts';
import { FairShareGate } from '../../shared/routing/fair-share-gate.ts';
import { RoutedQueues } from '../../shared/routing/routed-queues.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import type { ApiToken } from './api-tokens.ts';
import { type AppDeps, allQueues } from './create-app.ts';

/** What the API is wired from; the rest (queues, repositories, metrics) is built here. */
export interface AppSettings {
  redis: Redis;
  store: ArtifactStore;
  logger: Logger;
  configsDir: string;
  version: string;
  apiToken: string | undefined;
  apiTokens?: readonly ApiToken[];
}

/** The API's dependencies on one Redis connection and one store, as `npm run api` and the tests build them. */
export function appDeps(settings: AppSettings): AppDeps {
  const queues = openQueues(settings.redis);
  const routedQueues = new RoutedQueues(settings.redis);
  const routing = { queues: routedQueues, fairShare: new FairShareGate(settings.redis, routedQueues) };
  const sweepAndPlain = { train: queues.train as Queue<TrainJob>, evaluate: queues.evaluate as Queue<EvaluateJob>, sweep: queues.sweep as Queue<{ sweepId: string }> };
  return {
    ...settings,
    routing,
    queues: sweepAndPlain,
    runs: new RunRepository(settings.store),
    cancel: new CancelChannel(settings.redis),
    metrics: createApiMetrics(() => allQueues({ queues: sweepAndPlain, routing })),
  };
}
