import { resolve } from 'node:path';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queuePrefix, SWEEP_QUEUE } from '../../../shared/contracts/queue-names.ts';
import { CancelChannel } from '../../../shared/queue/cancel-channel.ts';
import { FairShareGate } from '../../../shared/routing/fair-share-gate.ts';
import { RoutedQueues } from '../../../shared/routing/routed-queues.ts';
import { RunRepository } from '../../../shared/runs/run-repository.ts';
import type { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { controlSweep, rememberSweep, type SweepControllerDeps } from '../../../shared/sweep/sweep-controller.ts';
import { sweepPaths, trialJobId } from '../../../shared/sweep/sweep-paths.ts';
import { parseSweepSpec } from '../../../shared/sweep/sweep-spec.ts';
import { writeStoredSweep } from '../../../shared/sweep/stored-sweep.ts';
import { TrialLog } from '../../../shared/sweep/trial-log.ts';
import { tempStore } from '../ml/training/helpers/temp-store.ts';
import { useTestRedis } from '../../support/use-test-redis.ts';

const LR = 'trainer.params.optimizer_params.lr';

describe('SweepController: passes over grid sweeps, two trials at a time, on real queues', () => {
  const connection = useTestRedis('sweep-controller');
  let redis: Redis;
  let sweepQueue: Queue;
  let queues: RoutedQueues;
  let store: LocalArtifactStore;
  let cleanup: () => Promise<void>;
  let deps: SweepControllerDeps;
  let sweeps = 0;

  beforeAll(() => {
    redis = connection();
    sweepQueue = new Queue(SWEEP_QUEUE, { connection: redis, prefix: queuePrefix() });
    queues = new RoutedQueues(redis);
  });
  afterAll(async () => {
    await queues.close();
    await sweepQueue.close();
  });
  beforeEach(async () => {
    ({ store, cleanup } = await tempStore());
    deps = { store, runs: new RunRepository(store), routing: { queues, fairShare: new FairShareGate(redis, queues) }, cancel: new CancelChannel(redis) };
  });
  afterEach(() => cleanup());

  /** A submitted sweep: its stored spec and its (waiting) sweep job, the parent of its trials' jobs. */
  async function submitted(values = [0.003, 0.001, 0.002]): Promise<{ sweepId: string; parent: Job }> {
    sweeps += 1;
    const sweepId = `s-test-${sweeps}`;
    const { spec, baseRaw } = parseSweepSpec(
      { name: 't', base: 'smoke/baseline.yaml', method: 'grid', metric: { name: 'val.loss_mse', goal: 'minimize' }, max_concurrent: 2, parameters: { [LR]: { values } } },
      'test sweep',
      { configsDir: resolve('configs') },
    );
    await writeStoredSweep(store, sweepId, { spec, baseRaw, submittedBy: 'ann' });
    return { sweepId, parent: await sweepQueue.add(sweepId, { sweepId }, { jobId: sweepId }) };
  }

  /** What a worker does with a trial: trains it to its budget and writes its metric, here lr × 1000. */
  async function trainRunning(sweepId: string): Promise<void> {
    for (const trial of (await new TrialLog(store, sweepId).trials()).filter((t) => t.status === 'running')) {
      const value = Number(trial.params[LR]) * 1000;
      await store.appendLine(runPaths(trial.runId).metrics, JSON.stringify({ epoch: trial.budget - 1, val: { loss_mse: value } }));
      await deps.runs.markCompleted(trial.runId, { epoch: trial.budget, stoppedEarly: false });
    }
  }

  it('queues two trials, then the third as the first two finish, and ranks all three by their metric', async () => {
    const { sweepId, parent } = await submitted();
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    const first = await new TrialLog(store, sweepId).trials();
    expect(first.map((t) => t.status)).toEqual(['running', 'running']);
    for (const trial of first) {
      expect(await deps.runs.get(trial.runId)).toMatchObject({ status: 'queued', totalEpochs: 3, submittedBy: 'ann' });
      expect(await queues.of('train', []).getJob(trialJobId(sweepId, trial.index, trial.budget))).toBeDefined();
    }
    // A pass repeated before anything trained queues nothing more.
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    expect(await new TrialLog(store, sweepId).trials()).toHaveLength(2);

    await trainRunning(sweepId);
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    expect((await new TrialLog(store, sweepId).trials()).map((t) => t.status)).toEqual(['completed', 'completed', 'running']);

    await trainRunning(sweepId);
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'done', status: 'completed' });
    const leaderboard = JSON.parse(await store.readText(sweepPaths(sweepId).leaderboard)) as { value: number; params: Record<string, number> }[];
    expect(leaderboard.map((entry) => entry.params[LR])).toEqual([0.001, 0.002, 0.003]);
  });

  it('a trial trained to its full budget but still writing its last records leaves its slot to the next trial; one still training does not', async () => {
    const { sweepId, parent } = await submitted([0.003, 0.001, 0.002, 0.004]);
    await controlSweep(deps, sweepId, parent);
    const [first, second] = await new TrialLog(store, sweepId).trials();
    for (const trial of [first, second]) {
      await deps.runs.markRunning(trial.runId, { host: 'h', pid: 1 });
      await deps.runs.update(trial.runId, (r) => ({ ...r, epoch: trial.budget - 1 }));
    }
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    expect(await new TrialLog(store, sweepId).trials()).toHaveLength(2);

    // The last epoch's record is written before its checkpoint and before run.json says so.
    await store.appendLine(runPaths(first.runId).metrics, JSON.stringify({ epoch: first.budget - 1, val: { loss_mse: 1 } }));
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    const trials = await new TrialLog(store, sweepId).trials();
    expect(trials.map((t) => t.status)).toEqual(['running', 'running', 'running']);
    expect(await queues.of('train', []).getJob(trialJobId(sweepId, 2, trials[2].budget))).toBeDefined();
    // Its slot is given once: a pass before it completes queues nothing more, until the second trial's training is over too.
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    expect(await new TrialLog(store, sweepId).trials()).toHaveLength(3);
    await deps.runs.update(second.runId, (r) => ({ ...r, epoch: second.budget }));
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    expect(await new TrialLog(store, sweepId).trials()).toHaveLength(4);
  });

  it('a controller that keeps the sweep in memory between passes decides as one that reads storage, and its memory is the trial log', async () => {
    const { sweepId, parent } = await submitted();
    const memory = await rememberSweep(store, sweepId);
    expect(await controlSweep(deps, sweepId, parent, memory)).toEqual({ kind: 'wait' });
    await trainRunning(sweepId);
    expect(await controlSweep(deps, sweepId, parent, memory)).toEqual({ kind: 'wait' });
    await trainRunning(sweepId);
    expect(await controlSweep(deps, sweepId, parent, memory)).toEqual({ kind: 'done', status: 'completed' });
    expect(memory.events).toEqual(await new TrialLog(store, sweepId).events());
    expect((await new TrialLog(store, sweepId).trials()).map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it("a trial's report and its decision go into the log together; a log holding the report alone is decided with no second report", async () => {
    const { sweepId, parent } = await submitted();
    await controlSweep(deps, sweepId, parent);
    await trainRunning(sweepId);
    // As a pass that died between the two writes leaves it: the first trial reported, not yet decided.
    await new TrialLog(store, sweepId).append({ type: 'reported', index: 0, epoch: 3, value: 3, at: new Date().toISOString() });
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
    const events = await new TrialLog(store, sweepId).events();
    expect(events.slice(2).map((event) => `${event.type} ${event.index}`)).toEqual(['reported 0', 'finished 0', 'reported 1', 'finished 1', 'proposed 2']);
  });

  it('a cancelled sweep removes its waiting trials, marks their runs cancelled and ends cancelled', async () => {
    const { sweepId, parent } = await submitted();
    await controlSweep(deps, sweepId, parent);
    const trials = await new TrialLog(store, sweepId).trials();
    await deps.cancel.request(sweepId);
    expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'done', status: 'cancelled' });
    for (const trial of trials) {
      expect(await deps.runs.get(trial.runId)).toMatchObject({ status: 'cancelled' });
      expect(await queues.of('train', []).getJob(trialJobId(sweepId, trial.index, trial.budget))).toBeUndefined();
    }
    expect((await new TrialLog(store, sweepId).trials()).map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('under a per-user cap of 1 a pass queues two trials: one waits for a worker, the other is held for the submitter', async () => {
    await deps.routing.fairShare.setCap(1);
    try {
      const { sweepId, parent } = await submitted();
      expect(await controlSweep(deps, sweepId, parent)).toEqual({ kind: 'wait' });
      const jobIds = (await new TrialLog(store, sweepId).trials()).map((t) => trialJobId(sweepId, t.index, t.budget));
      const states = await Promise.all(jobIds.map((jobId) => queues.of('train', []).getJobState(jobId)));
      expect([...states].sort()).toEqual(['delayed', 'waiting']);
      const held = jobIds[states.indexOf('delayed')];
      expect(await deps.routing.fairShare.heldReason('ann', 'train', held)).toBe('user ann has 0 running and 1 about to start (AELAB_MAX_RUNNING_PER_USER=1)');
    } finally {
      await deps.routing.fairShare.setCap(null);
    }
  });
});
