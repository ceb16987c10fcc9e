import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_TLS_VARIABLES, RedisTlsConfigError, redisTlsConfigured, redisTlsOptions } from './redis-tls.ts';

/** `REDIS_URL`, default `redis://127.0.0.1:6379`; `rediss://` turns TLS on (see redis-tls.ts for a private CA). */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A connection for BullMQ workers: blocking commands must wait forever, so
 * `maxRetriesPerRequest` is null (BullMQ requires it for workers).
 */
export function createWorkerConnection(url: string = redisUrl(), env: NodeJS.ProcessEnv = process.env): Redis {
  return new Redis(url, { ...tlsOptions(url, env), maxRetriesPerRequest: null, ...reconnectOptions() });
}

/**
 * A connection for request handlers: while Redis is away, commands fail at once
 * (no offline queue) so the API answers 503 instead of hanging.
 */
export function createApiConnection(url: string = redisUrl(), env: NodeJS.ProcessEnv = process.env): Redis {
  return new Redis(url, { ...tlsOptions(url, env), maxRetriesPerRequest: 1, enableOfflineQueue: false, ...reconnectOptions() });
}

/**
 * The TLS files of `env` for a `rediss://` URL. Setting them for a plain `redis://` URL
 * is refused rather than ignored, so a typo cannot silently turn encryption off.
 */
function tlsOptions(url: string, env: NodeJS.ProcessEnv): RedisOptions {
  if (/^rediss:\/\//i.test(url)) {
    const tls = redisTlsOptions(env);
    return tls ? { tls } : {};
  }
  if (redisTlsConfigured(env)) {
    throw new RedisTlsConfigError(`${REDIS_TLS_VARIABLES.ca}/${REDIS_TLS_VARIABLES.cert}/${REDIS_TLS_VARIABLES.key} are for TLS, but the Redis URL ${describeRedisUrl(url)} is not rediss://`);
  }
  return {};
}

function reconnectOptions(): RedisOptions {
  return {
    // Reconnect forever with a capped backoff: a restarted Redis is picked up on its own.
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
    connectTimeout: 5000,
  };
}

/** Pings Redis once, failing after `timeoutMs`; for the demo and readiness checks. */
export async function pingRedis(url: string, timeoutMs = 1500, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const client = new Redis(url, { ...tlsOptions(url, env), lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The URL with its password hidden, for logs. */
export function describeRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
