import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperimentConfigFile, serializeConfigYaml } from '../../../shared/config/load-experiment-config.ts';
import type { EvaluateJob } from '../../../shared/contracts/evaluate-job.ts';
import type { RunStatus } from '../../../shared/contracts/run-record.ts';
import type { TrainJob } from '../../../shared/contracts/train-job.ts';
import { EvaluationRepository } from '../../../shared/evaluation/evaluation-repository.ts';
import { createLogger } from '../../../shared/observability/logger.ts';
import { createApiMetrics } from '../../../shared/observability/prometheus-metrics.ts';
import { openQueues } from '../../../shared/queue/queues.ts';
import { QueueReconciler } from '../../../shared/recovery/queue-reconciler.ts';
import { RedisLock } from '../../../shared/recovery/redis-lock.ts';
import type { RoutingDeps } from '../../../shared/routing/enqueue-routed-job.ts';
import { enqueueTrainJob } from '../../../shared/routing/enqueue-train-job.ts';
import { FairShareGate } from '../../../shared/routing/fair-share-gate.ts';
import { RoutedQueues } from '../../../shared/routing/routed-queues.ts';
import { newRunRecord } from '../../../shared/runs/new-run-record.ts';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { SweepRepository } from '../../../shared/sweep/sweep-repository.ts';
import { useTempFolder } from '../../support/use-temp-folder.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

const A_MINUTE_AGO = () => new Date(Date.now() - 60_000).toISOString();

describe('QueueReconciler (real Redis, real storage folder)', () => {
  const testRedis = useTestRedis('reconciler');
  const root = useTempFolder('aelab-reconciler-');
  let redis: Redis;
  let store: LocalArtifactStore;
  let queues: { train: Queue<TrainJob>; evaluate: Queue<EvaluateJob>; sweep: Queue<{ sweepId: string }> };
  let metrics: ReturnType<typeof createApiMetrics>;
  let routing: RoutingDeps;
  const loaded = loadExperimentConfigFile('configs/smoke/synthetic.yaml');

  beforeAll(async () => {
    redis = testRedis();
    const opened = openQueues(redis);
    queues = { train: opened.train as Queue<TrainJob>, evaluate: opened.evaluate as Queue<EvaluateJob>, sweep: opened.sweep as Queue<{ sweepId: string }> };
    metrics = createApiMetrics(async () => Object.values(opened));
    const routedQueues = new RoutedQueues(redis);
    routing = { queues: routedQueues, fairShare: new FairShareGate(redis, routedQueues) };
    store = new LocalArtifactStore(root());
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true }).then(() => queue.close())));
    await routing.queues.close();
  });

  async function storedRun(id: string, status: RunStatus, createdAt = A_MINUTE_AGO()): Promise<void> {
    const yaml = serializeConfigYaml(loaded.raw);
    await new RunRepository(store).create({ ...newRunRecord(id, loaded.config, yaml, 'anonymous'), status, createdAt }, yaml);
  }

  function reconciler(): QueueReconciler {
    return new QueueReconciler({ redis, store, sweepQueue: queues.sweep, routing, logger: createLogger('test'), recoveredJobs: metrics.recoveredJobs });
  }

  it('queues again, once, exactly the unfinished records whose job is missing, as their submitters queue them', async () => {
    await storedRun('r-queued', 'queued');
    await storedRun('r-running', 'running');
    await storedRun('r-completed', 'completed');
    await storedRun('r-has-job', 'queued');
    await enqueueTrainJob(routing, { runId: 'r-has-job', name: 'smoke-synthetic', config: loaded.raw, routing: { requires: [], priority: 'normal', submittedBy: 'anonymous' } });
    await storedRun('r-just-submitted', 'queued', new Date().toISOString());
    const sweep = { id: 's-lost', name: 'lost-sweep', status: 'running', method: 'grid', metric: { name: 'val.objective', goal: 'minimize' }, maxTrials: 2, maxConcurrent: 1, createdAt: A_MINUTE_AGO(), finishedAt: null, error: null } as const;
    await new SweepRepository(store).save(sweep);
    await storedRun('s-lost-t0', 'running');
    await new EvaluationRepository(store).create({ id: 'e-half', runId: 'r-completed', checkpoint: 'best', tasks: ['phantoms'], status: 'running', createdAt: A_MINUTE_AGO(), finishedAt: null, error: null, scored: 10, total: 20 });

    const recoveries = await reconciler().reconcile();
    expect(recoveries?.map((r) => `${r.queue}:${r.id}`).sort()).toEqual(['evaluate:e-half', 'sweep:s-lost', 'train:r-queued', 'train:r-running']);
    expect(recoveries?.find((r) => r.id === 'r-running')?.missing).toMatch(/run running in storage, no train job in Redis; it resumes from its latest checkpoint/);

    const job = await queues.train.getJob('r-running');
    expect(job?.data).toEqual({ runId: 'r-running', submittedBy: 'anonymous', config: loaded.raw });
    expect(job?.opts.attempts).toBe(3);
    expect((await queues.evaluate.getJob('e-half'))?.data).toEqual({ evalId: 'e-half', runId: 'r-completed', checkpoint: 'best', tasks: ['phantoms'], submittedBy: 'anonymous' });
    expect((await queues.sweep.getJob('s-lost'))?.data).toEqual({ sweepId: 's-lost' });
    // A sweep's trial is its controller's to queue again, as a child of the sweep job.
    expect(await queues.train.getJob('s-lost-t0')).toBeUndefined();

    expect(await reconciler().reconcile()).toEqual([]);
    const counted = await metrics.registry.getSingleMetricAsString('aelab_recovered_jobs_total');
    expect(counted).toContain('aelab_recovered_jobs_total{queue="train"} 2');
    expect(counted).toContain('aelab_recovered_jobs_total{queue="sweep"} 1');
    expect(counted).toContain('aelab_recovered_jobs_total{queue="evaluate"} 1');
  });

  it('does nothing while another process holds the reconciler lock', async () => {
    await storedRun('r-later', 'queued');
    const other = new RedisLock(redis, `${process.env.AELAB_QUEUE_PREFIX}:reconciler-lock`, 10_000);
    expect(await other.tryAcquire()).toBe(true);
    expect(await reconciler().reconcile()).toBeNull();
    expect(await queues.train.getJob('r-later')).toBeUndefined();
    await other.release();
    expect((await reconciler().reconcile())?.map((r) => r.id)).toEqual(['r-later']);
  });
});
