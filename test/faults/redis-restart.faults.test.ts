import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { sweepPaths } from '../../shared/sweep/sweep-paths.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { epochsLogged, finished, range, runningWithEpochs, sleep, slowSyntheticGrid, slowSyntheticRun, submitRun, sweepFinished, type SweepView } from '../support/fault-runs.ts';
import { RestartableRedis, restartableRedisMissing } from '../support/restartable-redis.ts';

const missing = restartableRedisMissing();
if (missing !== null) console.log(`skipping the Redis restart faults: ${missing}`);

describe.skipIf(missing !== null)('Redis restarted under a running stack', () => {
  let redis: RestartableRedis;
  let stack: AelabStack;

  beforeAll(async () => {
    redis = await RestartableRedis.start();
    stack = await AelabStack.start({ label: 'faults-redis', workers: 2, redisUrl: redis.url });
  });
  afterAll(async () => {
    await redis?.restart();
    await stack?.stop();
    await redis?.stop();
  });

  /** While Redis is down the API refuses at once with a clear 503, it does not hang. */
  async function expectClear503(): Promise<void> {
    const started = Date.now();
    const answer = await stack.request<{ error: string }>('POST', '/api/v1/runs', slowSyntheticRun({ epochs: 1, secondsPerEpoch: 0 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatch(/Redis/);
  }

  it('a short outage during a run: the API answers 503 meanwhile, everyone reconnects, the run finishes with each epoch once', { timeout: 300_000 }, async () => {
    const epochs = 8;
    const id = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 1 }));
    await runningWithEpochs(stack, id, 2);
    await redis.kill();
    await expectClear503();
    await sleep(2500);
    await redis.restart();

    const run = await finished(stack, id);
    expect(run.status).toBe('completed');
    expect(await epochsLogged(stack, id)).toEqual(range(epochs));
  });

  it('an outage longer than the job lock: the run is fenced to one writer and finishes with each epoch once', { timeout: 300_000 }, async () => {
    const epochs = 24; // still training when Redis comes back
    const id = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 1 }));
    const before = await runningWithEpochs(stack, id, 2);
    await redis.kill();
    await sleep(12_000); // the 8 s lock expires meanwhile
    await redis.restart();

    const run = await finished(stack, id);
    expect(run.status).toBe('completed');
    expect(await epochsLogged(stack, id)).toEqual(range(epochs));
    const fenced = stack.workers.some((w) => /queue lock lost|was taken over by/.test(w.output()));
    console.log(`faults: long Redis outage: ${run.attempts} attempt(s), first holder pid ${before.worker?.pid}, last ${run.worker?.pid}, a worker fenced itself: ${fenced}`);
    // The lock was gone when Redis came back: the holder stopped writing and the run was taken again from its checkpoint.
    expect(fenced).toBe(true);
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    expect(run.resumedFrom?.epoch).toBeGreaterThanOrEqual(2);
  });

  it('an outage during a sweep: the sweep finishes with every trial once, none lost or run twice', { timeout: 400_000 }, async () => {
    const submitted = await stack.request<SweepView>('POST', '/api/v1/sweeps', slowSyntheticGrid('redis-restart', 1));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const sweepId = submitted.body.id;
    await stack.waitFor(async () => {
      const { body } = await stack.request<SweepView>('GET', `/api/v1/sweeps/${sweepId}`);
      return body.trials.some((t) => t.status === 'completed') && body.trials.some((t) => t.status === 'running') ? body : null;
    }, 180_000, 'a finished and a running trial');
    await redis.kill();
    await expectClear503();
    await sleep(3000);
    await redis.restart();

    const sweep = await sweepFinished(stack, sweepId);
    expect(sweep.status).toBe('completed');
    expect(sweep.trials).toHaveLength(6);
    expect(new Set(sweep.trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
    const log = await new LocalArtifactStore(stack.storage).readText(sweepPaths(sweepId).trials);
    console.log(`faults: sweep across a Redis restart: ${log.trim().split('\n').length} trial-log lines, ${sweep.trials.length} trials`);
    for (const trial of sweep.trials) expect(await epochsLogged(stack, trial.runId), `trial ${trial.index}`).toEqual(range(4));
  });
});
