import { randomBytes } from 'node:crypto';
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
