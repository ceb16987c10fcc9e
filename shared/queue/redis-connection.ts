import { Redis, type RedisOptions } from 'ioredis';

/** `REDIS_URL`, default `redis://127.0.0.1:6379`; `rediss://` turns TLS on. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A connection for BullMQ workers: blocking commands must wait forever, so
 * `maxRetriesPerRequest` is null (BullMQ requires it for workers).
 */
export function createWorkerConnection(url: string = redisUrl()): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...reconnectOptions() });
}

/**
 * A connection for request handlers: while Redis is away, commands fail at once
 * (no offline queue) so the API answers 503 instead of hanging.
 */
export function createApiConnection(url: string = redisUrl()): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, ...reconnectOptions() });
}

function reconnectOptions(): RedisOptions {
  return {
    // Reconnect forever with a capped backoff: a restarted Redis is picked up on its own.
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
    connectTimeout: 5000,
  };
}

/** Pings Redis once, failing after `timeoutMs`; for the demo and readiness checks. */
export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs, retryStrategy: () => null });
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
