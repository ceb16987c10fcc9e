import { hostname } from 'node:os';
import { Queue, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChildMessage, SupervisorMessage, TrainOutcome } from '../../../apps/worker/train-child-messages.ts';
import type { ChildHealth } from '../../../apps/worker/tf-state-guard.ts';
import { TrainSupervisor, type TrainSupervisorDeps } from '../../../apps/worker/train-supervisor.ts';
import { parseExperimentConfigText } from '../../../shared/config/load-experiment-config.ts';
import type { TrainJob } from '../../../shared/contracts/train-job.ts';
import { queuePrefix } from '../../../shared/contracts/queue-names.ts';
import { EvaluationRepository } from '../../../shared/evaluation/evaluation-repository.ts';
import { failureReasonOf } from '../../../shared/observability/failure-reason.ts';
import { createLogger } from '../../../shared/observability/logger.ts';
import { createWorkerMetrics } from '../../../shared/observability/worker-metrics.ts';
import { CancelChannel } from '../../../shared/queue/cancel-channel.ts';
import { FairShareGate } from '../../../shared/routing/fair-share-gate.ts';
import { RoutedQueues } from '../../../shared/routing/routed-queues.ts';
import { newRunRecord } from '../../../shared/runs/new-run-record.ts';
import { RUN_CHANGES_KEY } from '../../../shared/runs/run-change-journal.ts';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import type { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { StorageLease } from '../../../shared/storage/storage-lease.ts';
import { tempStore } from '../../shared/ml/training/helpers/temp-store.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

const CONFIG = `name: t
seed: 5
model: {name: conv_autoencoder, params: {channels: [4], strides: [2]}}
trainer: {name: reconstruction, params: {nr_epochs: 2, loss: {name: l2}, optimizer_params: {lr: 0.001}}, data_loader: {name: phantoms, params: {args: {target_size: [16, 16]}}}}
`;
const HEALTHY: ChildHealth = { tensorsBefore: 3, tensorsAfter: 3, rssMb: 100, stateChanged: null };
const logger = createLogger('test', {});

/**
 * A training child played by a script: it reports what the script emits, hears the
 * supervisor's stop messages, and ends with the script's outcome.
 */
class ScriptedChild {
  readonly stops: string[] = [];
  released = false;
  killed = false;
  private heardStop: (reason: string) => void = () => undefined;
  readonly stopped = new Promise<string>((resolve) => (this.heardStop = resolve));

  constructor(private readonly script: (emit: (message: ChildMessage) => void, child: ScriptedChild) => Promise<TrainOutcome>) {}

  async run(_start: SupervisorMessage, onMessage: (message: ChildMessage) => void): Promise<ChildMessage> {
    const outcome = await this.script(onMessage, this);
    onMessage(outcome);
    return outcome;
  }

  send(message: object): void {
    const stop = message as { type: string; reason?: string };
    if (stop.type !== 'stop' || stop.reason === undefined) return;
    this.stops.push(stop.reason);
    this.heardStop(stop.reason);
  }

  kill(): void {
    this.killed = true;
  }

  release(): void {
    this.released = true;
  }

  close(): void {}
}

const epoch = (index: number, totalEpochs: number): ChildMessage => ({
  type: 'epoch',
  epoch: index,
  totalEpochs,
  record: { epoch: index, loss: 1 / (index + 1), images_per_s: 10 },
  best: { epoch: index, metric: 'loss', value: 1 / (index + 1) },
});

describe('TrainSupervisor: one training in a (scripted) child, from its messages to run.json and the job', () => {
  const connection = useTestRedis('train-supervisor');
  let redis: Redis;
  let queue: Queue<TrainJob>;
  let store: LocalArtifactStore;
  let cleanup: () => Promise<void>;
  let runs: RunRepository;
  let lockLost: (jobIds: string[]) => void;
  let shuttingDown: boolean;
  let trialTrained: (sweepJobId: string) => void;

  beforeAll(() => {
    redis = connection();
    queue = new Queue<TrainJob>('train', { connection: redis, prefix: queuePrefix() });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  beforeEach(async () => {
    ({ store, cleanup } = await tempStore());
    runs = new RunRepository(store);
    lockLost = () => undefined;
    shuttingDown = false;
    trialTrained = () => undefined;
  });
  afterEach(() => cleanup());

  function deps(): TrainSupervisorDeps {
    const queues = new RoutedQueues(redis);
    return {
      store,
      evaluations: new EvaluationRepository(store),
      routing: { queues, fairShare: new FairShareGate(redis, queues) },
      runs,
      cancel: new CancelChannel(redis),
      logger,
      metrics: createWorkerMetrics('test'),
      shuttingDown: () => shuttingDown,
      onShutdown: () => undefined,
      onLockLost: (handler) => {
        lockLost = handler;
      },
      trialTrained: (sweepJobId) => trialTrained(sweepJobId),
    };
  }

  /** A queued run taken by this worker: run.json running, its lease held, its job in Redis. */
  async function taken(runId: string, attempts = 1): Promise<{ job: Job<TrainJob>; lease: StorageLease }> {
    const { config } = parseExperimentConfigText(CONFIG, 'c.yaml');
    await runs.create(newRunRecord(runId, config, CONFIG, 'ann'), CONFIG);
    await runs.markRunning(runId, { host: hostname(), pid: process.pid });
    const lease = await StorageLease.take(store, runPaths(runId).lease, { host: hostname(), pid: process.pid });
    const job = await queue.add('train', { runId, name: 't', config: {} } as TrainJob, { jobId: runId, attempts });
    return { job, lease };
  }

  /** How many times run.json of `runId` was written, as the run change journal lists them. */
  async function runJsonWrites(runId: string): Promise<number> {
    const journal = await store.readText(RUN_CHANGES_KEY);
    return journal.split('\n').filter((line) => line === runId).length;
  }

  function supervise(child: ScriptedChild, runId: string, { job, lease }: { job: Job<TrainJob>; lease: StorageLease }) {
    return new TrainSupervisor(deps(), child, 4096, { job, token: undefined, runId, config: {}, lease, log: logger, attempt: 1 }).supervise();
  }

  it('a child that trains two epochs leaves the run completed with both epochs, its metrics, and the job at 100%', async () => {
    const run = await taken('done-run');
    const child = new ScriptedChild(async (emit) => {
      emit({ type: 'backend', name: 'cpu', device: 'cpu', threads: 2, tfjsVersion: '4.x' });
      emit(epoch(0, 2));
      emit(epoch(1, 2));
      return { type: 'done', status: 'completed', epochsCompleted: 2, health: HEALTHY };
    });
    expect(await supervise(child, 'done-run', run)).toEqual({ status: 'completed', epochsCompleted: 2, stoppedEarly: false });
    expect(await runs.get('done-run')).toMatchObject({ status: 'completed', epoch: 2, stoppedEarly: false, latestMetrics: { epoch: 1 }, worker: { backend: 'cpu', threads: 2 } });
    expect((await queue.getJob('done-run'))?.progress).toMatchObject({ epoch: 2, progress: 100 });
    expect(child.released).toBe(true);
  });

  it("the last epoch's run.json change goes into the completion: one rewrite of run.json for both", async () => {
    const run = await taken('one-write-run');
    const writesBefore = await runJsonWrites('one-write-run');
    const child = new ScriptedChild(async (emit) => {
      emit(epoch(0, 2));
      emit(epoch(1, 2));
      return { type: 'done', status: 'completed', epochsCompleted: 2, health: HEALTHY };
    });
    await supervise(child, 'one-write-run', run);
    // Epoch 0 and the completion with epoch 1.
    expect((await runJsonWrites('one-write-run')) - writesBefore).toBe(2);
    expect(await runs.get('one-write-run')).toMatchObject({ status: 'completed', epoch: 2, latestMetrics: { epoch: 1 }, best: { epoch: 1 } });
  });

  it('a run that fails after its last epoch was recorded still has that epoch in run.json', async () => {
    const run = await taken('late-failure-run', 2);
    const child = new ScriptedChild(async (emit) => {
      emit(epoch(0, 1));
      return { type: 'failed', message: 'disk full', retryable: true, reason: 'storage' };
    });
    await expect(supervise(child, 'late-failure-run', run)).rejects.toThrow('disk full');
    expect(await runs.get('late-failure-run')).toMatchObject({ status: 'queued', error: 'disk full', epoch: 1, latestMetrics: { epoch: 0 }, best: { epoch: 0 } });
  });

  it('a run preempted after its last epoch was recorded goes back to the queue with that epoch in run.json', async () => {
    const run = await taken('late-preempt-run');
    const child = new ScriptedChild(async (emit) => {
      emit(epoch(0, 1));
      return { type: 'done', status: 'preempted', epochsCompleted: 1, health: HEALTHY };
    });
    await expect(supervise(child, 'late-preempt-run', run)).rejects.toBeInstanceOf(WaitingError);
    expect(await runs.get('late-preempt-run')).toMatchObject({ status: 'queued', epoch: 1, latestMetrics: { epoch: 0 } });
  });

  it("a sweep trial's last epoch is announced to its sweep once, as soon as its record is written, before its checkpoint and the run's completion", async () => {
    const sweepQueue = new Queue('sweep', { connection: redis, prefix: queuePrefix() });
    await sweepQueue.add('s', {}, { jobId: 'sweep-job' });
    const { config } = parseExperimentConfigText(CONFIG, 'c.yaml');
    await runs.create(newRunRecord('trial-run', config, CONFIG, 'ann'), CONFIG);
    await runs.markRunning('trial-run', { host: hostname(), pid: process.pid });
    const lease = await StorageLease.take(store, runPaths('trial-run').lease, { host: hostname(), pid: process.pid });
    const job = await queue.add('train', { runId: 'trial-run', name: 't', config: {} } as TrainJob, { jobId: 'trial-run', parent: { id: 'sweep-job', queue: sweepQueue.qualifiedName } });
    const announced: { sweepJobId: string; status: string | undefined }[] = [];
    trialTrained = (sweepJobId) => void runs.get('trial-run').then((run) => announced.push({ sweepJobId, status: run?.status }));
    const child = new ScriptedChild(async (emit) => {
      emit({ type: 'recorded', epoch: 0, totalEpochs: 2 });
      emit(epoch(0, 2));
      emit({ type: 'recorded', epoch: 1, totalEpochs: 2 });
      await expect.poll(() => announced.length).toBe(1);
      emit(epoch(1, 2));
      return { type: 'done', status: 'completed', epochsCompleted: 2, health: HEALTHY };
    });
    await supervise(child, 'trial-run', { job, lease });
    expect(announced).toEqual([{ sweepJobId: 'sweep-job', status: 'running' }]);
    expect(await runs.get('trial-run')).toMatchObject({ status: 'completed', epoch: 2 });
    await sweepQueue.obliterate({ force: true });
    await sweepQueue.close();
  });

  it('a cancel request reaches the child as a stop, and the run ends cancelled', async () => {
    const run = await taken('cancel-run');
    const child = new ScriptedChild(async (emit, self) => {
      emit(epoch(0, 2));
      await new CancelChannel(redis).request('cancel-run');
      expect(await self.stopped).toBe('cancel');
      return { type: 'done', status: 'cancelled', epochsCompleted: 1, health: HEALTHY };
    });
    expect(await supervise(child, 'cancel-run', run)).toMatchObject({ status: 'cancelled', epochsCompleted: 1 });
    expect(await runs.get('cancel-run')).toMatchObject({ status: 'cancelled' });
    expect((await runs.get('cancel-run'))?.finishedAt).not.toBeNull();
  });

  it('a retryable failure with attempts left puts the run back in the queue with its error; the last attempt fails it', async () => {
    const failing = () => new ScriptedChild(async () => ({ type: 'failed', message: 'disk full', retryable: true, reason: 'storage' }));
    await expect(supervise(failing(), 'retry-run', await taken('retry-run', 2))).rejects.toThrow('disk full');
    expect(await runs.get('retry-run')).toMatchObject({ status: 'queued', error: 'disk full', finishedAt: null });
    await expect(supervise(failing(), 'last-run', await taken('last-run', 1))).rejects.toThrow('disk full');
    expect(await runs.get('last-run')).toMatchObject({ status: 'failed', error: 'disk full' });
  });

  it('a non-retryable failure fails the job for good', async () => {
    const child = new ScriptedChild(async () => ({ type: 'failed', message: 'model "x" unknown', retryable: false, reason: 'config' }));
    await expect(supervise(child, 'bad-run', await taken('bad-run', 3))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await runs.get('bad-run')).toMatchObject({ status: 'failed', error: 'model "x" unknown' });
  });

  it('a child that dies without an outcome is killed and the run queued again, as crashed', async () => {
    const child = new ScriptedChild(async () => {
      throw new Error('process exited (code 1, signal none) before reporting a result');
    });
    const error = await supervise(child, 'crash-run', await taken('crash-run', 2)).catch((e: unknown) => e);
    expect(failureReasonOf(error)).toBe('crashed');
    expect(child.killed).toBe(true);
    expect(await runs.get('crash-run')).toMatchObject({ status: 'queued' });
  });

  it('a lost queue lock preempts the child; with the lease still held the run is queued again and the job ends lease_lost', async () => {
    const run = await taken('lost-run');
    const child = new ScriptedChild(async (_emit, self) => {
      lockLost(['lost-run']);
      expect(await self.stopped).toBe('preempt');
      return { type: 'done', status: 'preempted', epochsCompleted: 0, health: HEALTHY };
    });
    const error = await supervise(child, 'lost-run', run).catch((e: unknown) => e);
    expect(failureReasonOf(error)).toBe('lease_lost');
    expect(await runs.get('lost-run')).toMatchObject({ status: 'queued' });
  });
});
