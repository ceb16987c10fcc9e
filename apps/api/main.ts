/** `npm run api`: the HTTP API, Bull Board and metrics on `PORT` (default 8080). */
import { fileURLToPath } from 'node:url';
import { queuePrefix } from '../../shared/contracts/queue-names.ts';
import { portFromEnv } from '../../shared/config/port-from-env.ts';
import { createLogger } from '../../shared/observability/logger.ts';
import { PACKAGE_VERSION } from '../../shared/observability/package-version.ts';
import { RedisOutageReporter } from '../../shared/observability/redis-outage-reporter.ts';
import { createApiConnection, describeRedisUrl, redisUrl } from '../../shared/queue/redis-connection.ts';
import { QueueReconciler } from '../../shared/recovery/queue-reconciler.ts';
import { ReconcileSchedule, reconcileIntervalSeconds } from '../../shared/recovery/reconcile-schedule.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { allApiTokens, readApiTokensFile } from './api-tokens.ts';
import { appDeps } from './app-deps.ts';
import { createApp } from './create-app.ts';
import { BULL_BOARD_PATH } from './bull-board.ts';

const logger = createLogger('api');

async function main(): Promise<void> {
  const port = portFromEnv('PORT') ?? 8080;
  const reconcileSeconds = reconcileIntervalSeconds();
  const apiTokens = await readApiTokensFile(process.env.AELAB_API_TOKENS_FILE);
  const store = openArtifactStore();
  await store.checkWritable();
  const redis = createApiConnection();
  const outage = new RedisOutageReporter(logger);
  redis.on('error', outage.listener('redis connection'));
  redis.on('ready', () => outage.ready());
  const deps = appDeps({
    redis,
    store,
    logger,
    configsDir: process.env.AELAB_CONFIGS_DIR ?? fileURLToPath(new URL('../../configs', import.meta.url)),
    apiToken: process.env.AELAB_API_TOKEN,
    apiTokens,
    version: PACKAGE_VERSION,
  });
  // Written at every (re)connection: Redis may be away at start, or come back empty.
  const cap = maxRunningPerUser(process.env.AELAB_MAX_RUNNING_PER_USER);
  redis.on('ready', () => {
    deps.routing.fairShare.setCap(cap).catch((error: unknown) => logger.warn('could not record AELAB_MAX_RUNNING_PER_USER in Redis', { error: String(error) }));
  });
  const queues = Object.values(deps.queues);
  for (const queue of queues) queue.on('error', outage.listener(`${queue.name} queue`));
  const app = createApp(deps);
  const reconciler = new QueueReconciler({ redis, store, sweepQueue: deps.queues.sweep, routing: deps.routing, logger, recoveredJobs: deps.metrics.recoveredJobs });
  const reconcile = new ReconcileSchedule(reconciler, { redis, intervalSeconds: reconcileSeconds, logger });
  reconcile.start();
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
      reconcileSeconds,
    });
  });
  // Requests Node refuses before Express sees them (headers over 16 KiB, malformed HTTP) get JSON too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({ error: tooLarge ? 'headers: larger than the 16 KiB limit' : 'request: not valid HTTP', field: tooLarge ? 'headers' : 'request' });
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  const shutdown = () => {
    server.close();
    void Promise.all([reconcile.stop(), ...queues.map((queue) => queue.close()), deps.routing.queues.close()]).finally(() => {
      redis.disconnect();
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/**
 * AELAB_MAX_RUNNING_PER_USER: how many of one person's jobs may run at once across the
 * pool; unset or empty means no cap. The API writes it to Redis, where the workers and
 * sweep controllers that admit held jobs read it.
 */
function maxRunningPerUser(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const cap = Number(text);
  if (!Number.isInteger(cap) || cap < 1) throw new Error(`AELAB_MAX_RUNNING_PER_USER: expected a whole number of at least 1, got ${JSON.stringify(text)}`);
  return cap;
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
