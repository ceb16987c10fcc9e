import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../shared/evaluation/evaluation-record.ts';
import { evaluationPaths } from '../../shared/evaluation/evaluation-paths.ts';
import { LocalArtifactStore } from '../../shared/storage/local-artifact-store.ts';
import { sweepPaths } from '../../shared/sweep/sweep-paths.ts';
import type { TrialEvent } from '../../shared/sweep/trial-log.ts';
import { AelabStack } from '../support/aelab-stack.ts';
import { deleteStackKeys } from '../support/delete-stack-keys.ts';
import { epochsLogged, finished, range, runningWithEpochs, sleep, slowSyntheticAshaSweep, slowSyntheticRun, submitRun, sweepFinished, type SweepView } from '../support/fault-runs.ts';
import { prometheusSample } from '../support/prometheus-sample.ts';
import { RestartableRedis, restartableRedisMissing } from '../support/restartable-redis.ts';

const missing = restartableRedisMissing();
if (missing !== null) console.log(`skipping the Redis data-loss faults: ${missing}`);

/** The two ways Redis loses everything: its keys go (FLUSHALL, eviction), or it comes back empty (no AOF, failover). */
const FAULTS = [
  { name: 'every key of the stack deleted', strike: (redis: RestartableRedis, stack: AelabStack) => deleteStackKeys(redis.url, stack.prefix) },
  { name: 'Redis replaced by an empty instance', strike: (redis: RestartableRedis) => redis.replaceWithEmpty() },
] as const;

/** A synthetic run whose evaluation scores `imagesPerSet` normal and as many opacity phantoms. */
function syntheticRunWithEvaluation(imagesPerSet: number) {
  const config = load(readFileSync(new URL('../../configs/smoke/synthetic.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
  const dataset = (pathology: string | null) => ({ count: imagesPerSet, pathology });
  const downstream = {
    name: 'anomaly_detection',
    data_loader: { name: 'phantoms', params: { args: { target_size: [32, 32], batch_size: 1, seed: 8 } }, datasets: { Normal_phantoms: dataset(null), Opacity_phantoms: dataset('opacity') } },
  };
  return { config: { ...config, trainer: { ...(config.trainer as object), params: { ...(config.trainer as { params: object }).params, nr_epochs: 1 } }, downstream_tasks: { phantoms: downstream } } };
}

describe.skipIf(missing !== null)('Redis loses every key: storage is the source of truth and the reconciler rebuilds the queues', () => {
  let redis: RestartableRedis;
  let stack: AelabStack;

  beforeAll(async () => {
    redis = await RestartableRedis.start();
    stack = await AelabStack.start({ label: 'faults-data-loss', workers: 1, redisUrl: redis.url, env: { AELAB_RECONCILE_SECONDS: '1' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  async function recoveredJobs(queue: string): Promise<number> {
    const { body } = await fetch(`${stack.baseUrl}/metrics`).then(async (response) => ({ body: await response.text() }));
    return prometheusSample(body, 'aelab_recovered_jobs_total', { queue }) ?? 0;
  }

  it.each(FAULTS)('$name with a run mid-epoch and a second queued: both complete, the first resumed, each epoch once', { timeout: 240_000 }, async (fault) => {
    const epochs = 6;
    const first = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 2 }));
    const second = await submitRun(stack, slowSyntheticRun({ epochs, secondsPerEpoch: 2 }));
    await runningWithEpochs(stack, first, 2);
    await sleep(1000); // into the third epoch
    const recoveredBefore = await recoveredJobs('train');
    await fault.strike(redis, stack);
    const struckAt = Date.now();
    // The worker notices (its lock cannot be renewed) and stops itself, rather than training on unobserved.
    const noticed = new RegExp(`queue lock lost: stopping after the batch with a checkpoint.*${first}`);
    await stack.waitFor(async () => noticed.test(stack.workers[0].output()) || null, 30_000, `the worker to give run ${first} up`);

    // The time is measured and printed, not asserted (it wanders with the machine's load); the issue asks for under a minute.
    const [firstRun, secondRun] = [await finished(stack, first, 120_000), await finished(stack, second, 120_000)];
    console.log(`faults: ${fault.name}: both runs finished ${((Date.now() - struckAt) / 1000).toFixed(1)} s after the fault; the first resumed from epoch ${firstRun.resumedFrom?.epoch} batch ${firstRun.resumedFrom?.batch}`);
    expect([firstRun.status, secondRun.status]).toEqual(['completed', 'completed']);
    expect(await epochsLogged(stack, first)).toEqual(range(epochs));
    expect(await epochsLogged(stack, second)).toEqual(range(epochs));
    // The first went on from its checkpoint (a mid-epoch one when it stopped after its batch), not from scratch.
    expect(firstRun.resumedFrom?.epoch).toBeGreaterThanOrEqual(2);
    // Each lost job was queued again once: the running run's and the waiting run's.
    expect((await recoveredJobs('train')) - recoveredBefore).toBe(2);
    expect(stack.api.output()).toMatch(new RegExp(`job recovered from storage.*${first}|${first}.*job recovered from storage`));
  });

  it.each(FAULTS)('$name with a sweep mid-rung and an evaluation half-way: both finish as they would have, nothing twice', { timeout: 400_000 }, async (fault) => {
    const imagesPerSet = 200;
    const evaluated = await submitRun(stack, syntheticRunWithEvaluation(imagesPerSet));
    expect((await finished(stack, evaluated)).status).toBe('completed');
    // Its config has downstream tasks, so it was evaluated once after training; the test evaluates it again.
    const first = await evaluationFinished(`${evaluated}-auto`);
    console.log(`faults: an evaluation of ${2 * imagesPerSet} images took ${(Date.parse(first.finishedAt ?? '') - Date.parse(first.createdAt)) / 1000} s`);
    const submitted = await stack.request<SweepView>('POST', '/api/v1/sweeps', slowSyntheticAshaSweep(`data-loss-${FAULTS.indexOf(fault)}`, 1));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const sweepId = submitted.body.id;
    const sweepMidRung = async () => {
      const { body } = await stack.request<SweepView>('GET', `/api/v1/sweeps/${sweepId}`);
      // ASHA mid-rung: a trial stopped at its rung (waiting for promotion) while another trains.
      return body.trials.some((t) => t.status === 'stopped') && body.trials.some((t) => t.status === 'running') ? body : null;
    };
    await stack.waitFor(sweepMidRung, 180_000, 'a stopped and a running trial');
    const requested = await stack.request<EvaluationRecord>('POST', '/api/v1/evaluations', { runId: evaluated });
    expect(requested.status).toBe(202);
    const evalId = requested.body.id;
    const halfWay = await stack.waitFor(async () => {
      const { body } = await stack.request<EvaluationRecord>('GET', `/api/v1/evaluations/${evalId}`);
      return body.scored >= body.total / 4 && body.scored < body.total && (await sweepMidRung()) !== null ? body : null;
    }, 120_000, 'the evaluation half-way while the sweep is mid-rung');
    console.log(`faults: ${fault.name}: evaluation at ${halfWay.scored}/${halfWay.total} and the sweep mid-rung when Redis lost everything`);
    const recoveredBefore = { sweep: await recoveredJobs('sweep'), evaluate: await recoveredJobs('evaluate') };
    const evaluationStopsBefore = evaluationStops();
    await fault.strike(redis, stack);

    const sweep = await sweepFinished(stack, sweepId);
    expect(sweep.status).toBe('completed');
    expect(sweep.trials).toHaveLength(4);
    expect(sweep.best?.params).toMatchObject({ 'trainer.params.optimizer_params.lr': 1e-3, 'model.params.x': 0.3 });
    expect(sweep.best?.epochsRun).toBe(4);
    const store = new LocalArtifactStore(stack.storage);
    const events = (await store.readText(sweepPaths(sweepId).trials)).trim().split('\n').map((line) => JSON.parse(line) as TrialEvent);
    const reports = events.flatMap((event) => (event.type === 'reported' ? [`${event.index}@${event.epoch}`] : []));
    expect(new Set(reports).size, reports.join(' ')).toBe(reports.length);
    expect(events.filter((event) => event.type === 'proposed')).toHaveLength(4);
    for (const trial of sweep.trials) expect(await epochsLogged(stack, trial.runId), `trial ${trial.index}`).toEqual(range(trial.epochsRun));

    const evaluation = await evaluationFinished(evalId);
    expect(evaluation.status).toBe('completed');
    expect(evaluation.scored).toBe(2 * imagesPerSet);
    const scores = (await store.readText(evaluationPaths(evaluated, evalId).scores)).trim().split('\n');
    expect(scores).toHaveLength(2 * imagesPerSet + 1);
    // One controller job was queued again once; the trials were the controller's to queue. The evaluation was
    // queued again exactly when its worker noticed the lost lock and stopped it; one that ended before the
    // worker's next lock renewal is complete and needs no second pass.
    expect((await recoveredJobs('sweep')) - recoveredBefore.sweep).toBe(1);
    const evaluationStopped = evaluationStops() > evaluationStopsBefore;
    expect((await recoveredJobs('evaluate')) - recoveredBefore.evaluate).toBe(evaluationStopped ? 1 : 0);
  });

  function evaluationStops(): number {
    return stack.workers[0].output().split('queue lock lost: stopping the evaluation').length - 1;
  }

  function evaluationFinished(evalId: string): Promise<EvaluationRecord> {
    return stack.waitFor(async () => {
      const { body } = await stack.request<EvaluationRecord>('GET', `/api/v1/evaluations/${evalId}`);
      return body.status === 'completed' || body.status === 'failed' ? body : null;
    }, 180_000, `evaluation ${evalId} to finish`);
  }
});
