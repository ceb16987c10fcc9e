import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutedQueues } from '../../../shared/routing/routed-queues.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

describe('RoutedQueues on real Redis', () => {
  const connection = useTestRedis('routed-queues');
  let queues: RoutedQueues;
  let listener: Redis;
  const announced: string[] = [];
  /** The next queue name announced (listened for before the add that announces it). */
  const nextAnnouncement = () => new Promise<string>((resolve) => listener.once('message', (_channel: string, name: string) => resolve(name)));

  beforeAll(async () => {
    queues = new RoutedQueues(connection());
    listener = connection().duplicate();
    listener.on('message', (_channel: string, name: string) => announced.push(name));
    await listener.subscribe(queues.announcementChannel);
  });
  afterAll(async () => {
    await listener.quit();
    await queues.close();
  });

  it('a queue used for the first time is registered and announced once, even when its first job is refused', async () => {
    // BullMQ refuses the id '0' before it writes anything; the queue's registration goes out beside the add.
    const first = nextAnnouncement();
    await expect(queues.add('train', ['tpu'], 'refused', {}, { jobId: '0' })).rejects.toThrow(/JobId cannot be '0'/);
    expect(await first).toBe('train@tpu');
    expect(await queues.names()).toContain('train@tpu');

    await queues.add('train', ['tpu'], 'kept', { runId: 'r1' }, { jobId: 'r1' });
    const second = nextAnnouncement();
    await queues.add('train', [], 'plain', { runId: 'r2' }, { jobId: 'r2' });
    // Announcements arrive in order: a second one for train@tpu would have come before this one.
    expect(await second).toBe('train');
    expect(announced).toEqual(['train@tpu', 'train']);
    expect((await queues.of('train', ['tpu']).getJob('r1'))?.data).toEqual({ runId: 'r1' });
    expect(await queues.of('train', []).getJobState('r2')).toBe('waiting');
  });
});
