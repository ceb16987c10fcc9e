import { createWorkerConnection } from '../../shared/queue/redis-connection.ts';

/** Deletes every key under `prefix:` (the stack's queues, locks, cancel flags); returns how many there were. */
export async function deleteStackKeys(redisUrl: string, prefix: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const redis = createWorkerConnection(redisUrl, env);
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
