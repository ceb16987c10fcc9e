import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { testRedis, uniquePrefix } from './test-redis.ts';

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
