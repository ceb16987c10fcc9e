import express, { type Express } from 'express';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import type { TrainJob } from '../../shared/contracts/train-job.ts';
import { EvaluationRepository } from '../../shared/evaluation/evaluation-repository.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { ApiMetrics } from '../../shared/observability/prometheus-metrics.ts';
import type { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { IdempotencyKeys } from '../../shared/queue/idempotency-keys.ts';
import type { RoutingDeps } from '../../shared/routing/enqueue-routed-job.ts';
import type { RunRepository } from '../../shared/runs/run-repository.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { allApiTokens, type ApiToken } from './api-tokens.ts';
import { apiRoleOf, bearerAuth } from './bearer-auth.ts';
import { BULL_BOARD_PATH, bullBoardRouter } from './bull-board.ts';
import { errorHandler, HttpError } from './http-error.ts';
import { openApiDocument } from './openapi-document.ts';
import { compareRouter } from './routes/compare-router.ts';
import { suitesRouter } from './routes/suites-router.ts';
import { sweepsRouter } from './routes/sweeps-router.ts';
import { SuiteReproduction } from '../../shared/suite/suite-reproduction.ts';
import { SweepRepository } from '../../shared/sweep/sweep-repository.ts';
import { evaluationsRouter } from './routes/evaluations-router.ts';
import { livenessRouter, readinessRouter } from './routes/health-router.ts';
import { runsRouter } from './routes/runs-router.ts';
import { RunSubmitter } from './run-submitter.ts';
import { sessionRouter } from './routes/session-router.ts';
import { webUiRouter } from './web-ui.ts';
import { RunIndex } from '../../shared/runs/run-index.ts';
import { RunSummaries } from '../../shared/evaluation/run-summaries.ts';

export interface AppDeps {
  redis: Redis;
  queues: { train: Queue<TrainJob>; sweep: Queue<{ sweepId: string }>; evaluate: Queue<EvaluateJob> };
  /** The train and evaluate queues per requirement set, and the per-user gate in front of them. */
  routing: RoutingDeps;
  store: ArtifactStore;
  runs: RunRepository;
  cancel: CancelChannel;
  metrics: ApiMetrics;
  logger: Logger;
  /** Folder that `configPath` is resolved in. */
  configsDir: string;
  /** The package version, reported in the OpenAPI document. */
  version: string;
  /** `AELAB_API_TOKEN`: a write token. With any token set, every route but /healthz needs one. */
  apiToken: string | undefined;
  /** The tokens of `AELAB_API_TOKENS_FILE`, read or write, accepted alongside `apiToken`. */
  apiTokens?: readonly ApiToken[];
  /** Where workers find datasets; suites are checked against it. Default `AELAB_DATA_ROOT`, else the working directory. */
  dataRoot?: string;
}

/** The HTTP API as an Express app (no listening here, so tests can mount it). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use((request, response, next) => {
    const stop = deps.metrics.httpRequests.startTimer({ method: request.method });
    response.on('finish', () => stop({ route: request.route?.path ?? routeFamily(request.path), status: String(response.statusCode) }));
    next();
  });
  app.use(livenessRouter());
  const tokens = allApiTokens(deps.apiToken, deps.apiTokens ?? []);
  app.use(webUiRouter());
  app.use(sessionRouter(tokens));
  app.use(bearerAuth(tokens));
  app.get('/api/v1/session', (_request, response) => {
    response.json({ role: apiRoleOf(response), authRequired: tokens.length > 0 });
  });
  app.use(readinessRouter({ redis: deps.redis, store: deps.store }));
  app.get('/metrics', async (_request, response) => {
    response.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  const boardQueues = () => allQueues(deps);
  // Read tokens get a board without retry/clean/promote buttons; bearerAuth already refuses their writes.
  const boards = { read: bullBoardRouter(boardQueues, { readOnly: true }), write: bullBoardRouter(boardQueues, { readOnly: false }) };
  app.use(BULL_BOARD_PATH, (request, response, next) => boards[apiRoleOf(response)](request, response, next));
  app.get('/api/v1/openapi.json', (_request, response) => {
    response.json(openApiDocument(deps.version));
  });
  app.use(express.json({ limit: '1mb', strict: false }));
  app.use(
    '/api/v1/runs',
    runsRouter({
      runs: deps.runs,
      idempotency: new IdempotencyKeys(deps.redis),
      submitter: new RunSubmitter({ configsDir: deps.configsDir, runs: deps.runs, routing: deps.routing }),
      routing: deps.routing,
      cancel: deps.cancel,
      store: deps.store,
      index: new RunIndex(deps.store, deps.runs),
      summaries: new RunSummaries(deps.store, deps.runs),
    }),
  );
  app.use(
    '/api/v1/evaluations',
    evaluationsRouter({ ...deps.routing, runs: deps.runs, evaluations: new EvaluationRepository(deps.store) }),
  );
  app.use(
    '/api/v1/sweeps',
    sweepsRouter({
      store: deps.store,
      sweeps: new SweepRepository(deps.store),
      sweepQueue: deps.queues.sweep,
      routing: deps.routing,
      runs: deps.runs,
      cancel: deps.cancel,
      configsDir: deps.configsDir,
    }),
  );
  const evaluations = new EvaluationRepository(deps.store);
  app.use(
    '/api/v1/suites',
    suitesRouter({
      reproduction: new SuiteReproduction({ ...deps, evaluations }),
      configsDir: deps.configsDir,
      dataRoot: deps.dataRoot ?? process.env.AELAB_DATA_ROOT ?? process.cwd(),
    }),
  );
  app.use('/api/v1/compare', compareRouter({ store: deps.store, runs: deps.runs }));
  app.use((request, _response, next) => next(new HttpError(404, `no route ${request.method} ${request.path}`)));
  app.use(errorHandler((message, meta) => deps.logger.error(message, meta)));
  return app;
}

/** The sweep queue and the train and evaluate queues of every requirement set in use. */
export async function allQueues(deps: Pick<AppDeps, 'queues' | 'routing'>): Promise<Queue[]> {
  const routed = await deps.routing.queues.names();
  return [deps.queues.sweep, ...routed.map((name) => deps.routing.queues.named(name))];
}

/** Metric label for unmatched paths, bounded so scanners cannot blow up label cardinality. */
function routeFamily(path: string): string {
  if (path.startsWith(BULL_BOARD_PATH)) return BULL_BOARD_PATH;
  return path.startsWith('/api/v1/') ? '/api/v1/*' : 'other';
}
