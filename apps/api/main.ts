/** `npm run api`: the HTTP API, Bull Board and metrics on `PORT` (default 8080). */
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import { queuePrefix } from '../../shared/contracts/queue-names.ts';
import type { EvaluateJob } from '../../shared/contracts/evaluate-job.ts';
import type { TrainJob } from '../../shared/contracts/train-job.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { PACKAGE_VERSION } from '../../shared/observability/package-version.ts';
import { RedisOutageReporter } from '../../shared/observability/redis-outage-reporter.ts';
import { createApiMetrics } from '../../shared/observability/prometheus-metrics.ts';
import { CancelChannel } from '../../shared/queue/cancel-channel.ts';
import { openQueues } from '../../shared/queue/queues.ts';
import { createApiConnection, describeRedisUrl, redisUrl } from '../../shared/queue/redis-connection.ts';
import { RunRepository } from '../../shared/runs/run-repository.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { allApiTokens, readApiTokensFile } from './api-tokens.ts';
import { createApp } from './create-app.ts';
import { BULL_BOARD_PATH } from './bull-board.ts';

const logger = createLogger('api');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT=${process.env.PORT}: expected a port number`);
  const apiTokens = await readApiTokensFile(process.env.AELAB_API_TOKENS_FILE);
  const store = openArtifactStore();
  await store.checkWritable();
  const redis = createApiConnection();
  const outage = new RedisOutageReporter(logger);
  redis.on('error', outage.listener('redis connection'));
  redis.on('ready', () => outage.ready());
  const queues = openQueues(redis);
  for (const queue of Object.values(queues)) queue.on('error', outage.listener(`${queue.name} queue`));
  const app = createApp({
    redis,
    queues: { ...queues, train: queues.train as Queue<TrainJob>, evaluate: queues.evaluate as Queue<EvaluateJob>, sweep: queues.sweep as Queue<{ sweepId: string }> },
    store,
    runs: new RunRepository(store),
    cancel: new CancelChannel(redis),
    metrics: createApiMetrics(queues),
    logger,
    configsDir: process.env.AELAB_CONFIGS_DIR ?? fileURLToPath(new URL('../../configs', import.meta.url)),
    apiToken: process.env.AELAB_API_TOKEN,
    apiTokens,
    version: PACKAGE_VERSION,
  });
  const server = app.listen(port, process.env.HOST ?? '0.0.0.0', () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address !== null ? address.port : port;
    logger.info('api listening', {
      url: `http://127.0.0.1:${actualPort}`,
      dashboard: `http://127.0.0.1:${actualPort}${BULL_BOARD_PATH}`,
      redis: describeRedisUrl(redisUrl()),
      storage: store.location,
      prefix: queuePrefix(),
      auth: authSummary(allApiTokens(process.env.AELAB_API_TOKEN, apiTokens)),
    });
  });
  const shutdown = () => {
    server.close();
    void Promise.all(Object.values(queues).map((queue) => queue.close())).finally(() => {
      redis.disconnect();
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** How many tokens of each role, for the start-up log line; never the tokens. */
function authSummary(tokens: ReadonlyArray<{ role: string }>): string {
  if (tokens.length === 0) return 'open';
  const writers = tokens.filter((token) => token.role === 'write').length;
  return `token required (${writers} write, ${tokens.length - writers} read)`;
}

main().catch((error: unknown) => {
  logger.error('api could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
