import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { findOrStartRedis, type AvailableRedis } from '../../shared/queue/local-redis.ts';

/**
 * The Redis the tests use: REDIS_URL or 127.0.0.1:6379, else a private redis-server.
 * Every test file takes its own queue prefix, so tests never see each other's jobs.
 */
export async function testRedis(): Promise<AvailableRedis> {
  return findOrStartRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
}

export function uniquePrefix(label: string): string {
  return `aelab-test-${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * A connection to the test Redis for the enclosing describe block, under a queue prefix of
 * its own (AELAB_QUEUE_PREFIX), whose keys are deleted afterwards. Call it before the
 * block's other hooks, so that their afterAll (closing queues) runs first.
 */
export function useTestRedis(label: string): () => Redis {
  let redis: Redis | undefined;
  let stop: () => Promise<void> = async () => undefined;
  const savedPrefix = process.env.AELAB_QUEUE_PREFIX;
  beforeAll(async () => {
    const available = await testRedis();
    stop = available.stop;
    process.env.AELAB_QUEUE_PREFIX = uniquePrefix(label);
    redis = new Redis(available.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    const keys = (await redis?.keys(`${process.env.AELAB_QUEUE_PREFIX}:*`)) ?? [];
    if (keys.length > 0) await redis?.del(...keys);
    process.env.AELAB_QUEUE_PREFIX = savedPrefix;
    redis?.disconnect();
    await stop();
  });
  return () => {
    if (redis === undefined) throw new Error('useTestRedis: the connection opens in beforeAll');
    return redis;
  };
}
