import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutedWorkers } from '../../../apps/worker/routed-workers.ts';
import { createLogger } from '../../../shared/observability/logger.ts';
import { RoutedQueues } from '../../../shared/routing/routed-queues.ts';
import { testRedis, uniquePrefix } from '../../support/test-redis.ts';

describe('RoutedWorkers on real Redis', () => {
  let redis: Redis;
  let stopRedis: () => Promise<void>;
  const prefix = uniquePrefix('routed-workers');
  const pools: RoutedWorkers[] = [];
  let queues: RoutedQueues;

  beforeAll(async () => {
    const available = await testRedis();
    stopRedis = available.stop;
    redis = new Redis(available.url, { maxRetriesPerRequest: null });
    queues = new RoutedQueues(redis, prefix);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    await queues.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await stopRedis();
  });

  /** A stand-in worker process whose jobs record where they ran and wait for `release`. */
  function startPool(name: string, labels: string[], started: Array<{ pool: string; job: string }>, release: Promise<void>): RoutedWorkers {
    const processor = async (job: { name: string }) => {
      started.push({ pool: name, job: job.name });
      await release;
      return null;
    };
    const pool = new RoutedWorkers({
      connection: redis,
      queues,
      labels,
      processors: { train: processor, evaluate: processor },
      settings: {},
      logger: createLogger('test', { worker: name }),
      onWorker: () => undefined,
    });
    pools.push(pool);
    return pool;
  }

  it('a process busy training leaves an evaluation to the idle one, and a gpu queue created later is consumed by the gpu process only', async () => {
    const started: Array<{ pool: string; job: string }> = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const plain = startPool('plain', ['cpu'], started, released);
    const gpu = startPool('gpu', ['cpu', 'gpu'], started, released);
    await plain.start();
    expect(plain.queueNames().sort()).toEqual(['evaluate', 'train']);
    await queues.add('train', [], 'train-1', {}, { jobId: 'train-1' });
    await queues.add('evaluate', [], 'evaluate-1', {}, { jobId: 'evaluate-1' });
    await waitUntil(() => started.length === 1);
    // The plain process holds one of the two; the other waits for a free process.
    await gpu.start();
    await waitUntil(() => started.length === 2);
    expect(started.map((entry) => entry.pool), JSON.stringify(started)).toEqual(['plain', 'gpu']);

    await queues.add('train', ['gpu'], 'gpu-1', {}, { jobId: 'gpu-1' });
    await waitUntil(() => gpu.queueNames().includes('train@gpu'));
    expect(plain.queueNames()).not.toContain('train@gpu');
    release();
    await waitUntil(() => started.length === 3);
    expect(started[2]).toEqual({ pool: 'gpu', job: 'gpu-1' });
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(condition()).toBe(true);
}
