import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRoutedJob, type JobRouting, type RoutingDeps } from '../../../shared/routing/enqueue-routed-job.ts';
import { FairShareGate, HOLD_DELAY_MS } from '../../../shared/routing/fair-share-gate.ts';
import { RoutedQueues } from '../../../shared/routing/routed-queues.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

describe('FairShareGate on real Redis and BullMQ queues', () => {
  const redis = useTestRedis('fair-share');
  let deps: RoutingDeps;

  beforeAll(async () => {
    const queues = new RoutedQueues(redis());
    deps = { queues, fairShare: new FairShareGate(redis(), queues) };
    await deps.fairShare.setCap(1);
  });
  afterAll(() => deps.queues.close());

  const routing = (submittedBy: string, priority: JobRouting['priority'] = 'normal'): JobRouting => ({ requires: ['gpu'], priority, submittedBy });
  const add = (jobId: string, route: JobRouting) => enqueueRoutedJob(deps, 'train', route, { name: jobId, data: { runId: jobId }, options: { jobId } });
  const stateOf = (jobId: string) => deps.queues.of('train', ['gpu']).getJobState(jobId);

  it('admits one job per user, holds the rest with a reason, and admits the highest-priority held job when a slot frees', async () => {
    await add('a1', routing('alice'));
    await add('a2', routing('alice', 'low'));
    await add('a3', routing('alice', 'high'));
    await add('b1', routing('bob'));
    expect(await Promise.all(['a1', 'a2', 'a3', 'b1'].map(stateOf))).toEqual(['waiting', 'delayed', 'delayed', 'waiting']);
    expect(await deps.fairShare.heldReason('alice', 'train@gpu', 'a2')).toBe('user alice has 0 running and 1 about to start (AELAB_MAX_RUNNING_PER_USER=1)');
    expect(await deps.fairShare.heldReason('bob', 'train@gpu', 'b1')).toBeNull();
    const job = await deps.queues.of('train', ['gpu']).getJob('a1');
    expect(job?.name).toBe('a1 (alice)');
    expect(job?.data).toMatchObject({ submittedBy: 'alice' });

    // a1 ends (here: removed); the next rebalance admits a3, the high one, before a2.
    await job!.remove();
    await deps.fairShare.rebalance('alice');
    expect(await Promise.all(['a2', 'a3'].map(stateOf))).toEqual(['delayed', 'waiting']);
  });

  it('after a crash between adding a parked job and listing it, recovery admits or holds it', async () => {
    await deps.fairShare.setCap(null);
    await deps.queues.add('train', ['gpu'], 'orphan', { runId: 'c1', submittedBy: 'carol' }, { jobId: 'c1', delay: HOLD_DELAY_MS });
    expect(await stateOf('c1')).toBe('delayed');
    await deps.fairShare.recover(await deps.queues.names());
    expect(await stateOf('c1')).toBe('waiting');
  });
});
