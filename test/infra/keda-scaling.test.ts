import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobPriority } from '../../shared/contracts/job-priority.ts';
import { enqueueRoutedJob, type RoutingDeps } from '../../shared/routing/enqueue-routed-job.ts';
import { FairShareGate } from '../../shared/routing/fair-share-gate.ts';
import { routedQueueName } from '../../shared/routing/routed-queue-name.ts';
import { RoutedQueues } from '../../shared/routing/routed-queues.ts';
import { useTestRedis } from '../support/use-test-redis.ts';

// KEDA cannot run here, so this test does what its redis trigger does with each key the
// ScaledObject names (the key's type picks LLEN, ZCARD, SCARD or HLEN; KEDA >= 2.0) and
// adds the values as the formula says, against jobs BullMQ really wrote.

interface RedisTrigger {
  name: string;
  listName: string;
}

const MANIFEST_PREFIX = 'aelab';

const KEY_LENGTH_SCRIPT = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'zset' then return redis.call('ZCARD', KEYS[1]) end
if kind == 'set' then return redis.call('SCARD', KEYS[1]) end
if kind == 'hash' then return redis.call('HLEN', KEYS[1]) end
return redis.call('LLEN', KEYS[1])`;

function scaledObject(): { formula: string; triggers: RedisTrigger[] } {
  const path = fileURLToPath(new URL('../../infra/k8s/worker-scaledobject.yaml', import.meta.url));
  const manifest = load(readFileSync(path, 'utf8')) as {
    spec: { advanced: { scalingModifiers: { formula: string } }; triggers: Array<{ type: string; name: string; metadata: { listName: string } }> };
  };
  const triggers = manifest.spec.triggers.map((trigger) => {
    expect(trigger.type, `trigger ${trigger.name}`).toBe('redis');
    return { name: trigger.name, listName: trigger.metadata.listName };
  });
  return { formula: manifest.spec.advanced.scalingModifiers.formula, triggers };
}

describe('the KEDA ScaledObject of the GPU workers, on jobs BullMQ wrote into real Redis', () => {
  const { formula, triggers } = scaledObject();
  const testRedis = useTestRedis('keda');
  let redis: Redis;
  let routing: RoutingDeps;
  let prefix: string;
  const workers: Worker[] = [];

  beforeAll(() => {
    redis = testRedis();
    const queues = new RoutedQueues(redis);
    prefix = queues.prefix;
    routing = { queues, fairShare: new FairShareGate(redis, queues) };
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await routing.queues.close();
  });

  /** The number the formula gives KEDA: the sum of its triggers' key lengths. */
  async function scalingMetric(): Promise<number> {
    const values = new Map<string, number>();
    for (const trigger of triggers) {
      expect(trigger.listName.startsWith(`${MANIFEST_PREFIX}:`), trigger.listName).toBe(true);
      const key = `${prefix}${trigger.listName.slice(MANIFEST_PREFIX.length)}`;
      values.set(trigger.name, Number(await redis.eval(KEY_LENGTH_SCRIPT, 1, key)));
    }
    return formula.split('+').reduce((sum, term) => {
      const value = values.get(term.trim());
      if (value === undefined) throw new Error(`the formula names "${term.trim()}", which no trigger defines`);
      return sum + value;
    }, 0);
  }

  async function submit(kind: 'train' | 'evaluate', requires: string[], priority: JobPriority): Promise<string> {
    const jobId = randomUUID();
    await enqueueRoutedJob(routing, kind, { requires, priority, submittedBy: 'alice' }, { name: `${kind} ${priority}`, data: {}, options: { jobId } });
    return jobId;
  }

  it('sums only triggers it defines, with plain additions', () => {
    expect(formula).toMatch(/^\s*\w+(\s*\+\s*\w+)*\s*$/);
  });

  it('counts every job a gpu worker could take, low priority included, and nothing it could not take', async () => {
    expect(await scalingMetric()).toBe(0);
    await submit('train', [], 'low');
    expect(await scalingMetric(), 'a low-priority plain training').toBe(1);
    await submit('train', ['gpu'], 'low');
    expect(await scalingMetric(), 'a low-priority gpu training').toBe(2);
    await submit('evaluate', ['gpu'], 'low');
    await submit('evaluate', [], 'low');
    expect(await scalingMetric(), 'low-priority evaluations').toBe(4);
    await submit('train', ['gpu'], 'high');
    await submit('evaluate', [], 'normal');
    expect(await scalingMetric(), 'high and normal priority').toBe(6);
    await submit('train', ['a100', 'gpu'], 'low');
    await submit('train', ['a100', 'gpu'], 'normal');
    expect(await scalingMetric(), 'work that needs an a100 label the gpu workers lack').toBe(6);
  });

  it('keeps counting a low-priority job once a worker has taken it, until it ends', async () => {
    const queueName = routedQueueName('train', ['gpu']);
    const before = await scalingMetric();
    const worker = new Worker(queueName, undefined, { connection: redis.duplicate(), prefix, autorun: false });
    workers.push(worker);
    const token = randomUUID();
    const job = await worker.getNextJob(token, { block: false });
    expect(job?.name).toBe('train high (alice)');
    expect(await job?.getState()).toBe('active');
    expect(await scalingMetric(), 'the high-priority job, now running').toBe(before);
    const next = await worker.getNextJob(token, { block: false });
    await job!.moveToCompleted('done', token, false);
    expect(next?.name, 'the low-priority job comes after the high one').toBe('train low (alice)');
    expect(await scalingMetric(), 'one job finished').toBe(before - 1);
    await next!.moveToCompleted('done', token, false);
    expect(await scalingMetric(), 'both finished').toBe(before - 2);
  });
});
