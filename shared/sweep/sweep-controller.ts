import type { Job } from 'bullmq';
import { applyOverrides } from '../config/overrides.ts';
import { parseExperimentConfigObject, serializeConfigYaml } from '../config/load-experiment-config.ts';
import type { EpochMetrics, RunRecord } from '../contracts/run-record.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import type { CancelChannel } from '../queue/cancel-channel.ts';
import { ANONYMOUS, type RoutingDeps } from '../routing/enqueue-routed-job.ts';
import { enqueueTrainJob } from '../routing/enqueue-train-job.ts';
import { newRunRecord } from '../runs/new-run-record.ts';
import type { RunRepository } from '../runs/run-repository.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { AshaScheduler } from './asha-scheduler.ts';
import { lossOf, type TrialParams } from './sampler.ts';
import { samplerFor } from './sampler-for.ts';
import type { TrialReport, TrialScheduler } from './scheduler.ts';
import { sweepPaths, trialJobId, trialRunId } from './sweep-paths.ts';
import type { SweepRecord, TrialView } from './sweep-record.ts';
import { readStoredSweep, type StoredSweep } from './stored-sweep.ts';
import { TrialLog, trialsOf } from './trial-log.ts';

export interface SweepControllerDeps {
  store: ArtifactStore;
  runs: RunRepository;
  /** Trials go to the queue their config's `requires` names, with its `priority`, under the sweep submitter's share. */
  routing: RoutingDeps;
  cancel: CancelChannel;
}

/** What one pass of the controller concluded. */
export type ControllerStep = { kind: 'wait' } | { kind: 'done'; status: 'completed' | 'cancelled' };

/**
 * One pass of a sweep's controller (docs/architecture.md "Sweeps"). Everything it knows it reads
 * again from storage — the stored spec, the trial log, each trial's run.json and
 * metrics — so a controller killed at any point continues exactly where it was. Each
 * trial is an ordinary run `<sweepId>-t<k>`; each stretch of its training (up to an ASHA
 * rung) is a train job `<sweepId>-t<k>-e<epochs>`, a child of the sweep job. Ids are
 * deterministic, so a pass repeated after a crash queues nothing twice.
 */
export async function controlSweep(deps: SweepControllerDeps, sweepId: string, parent: Job): Promise<ControllerStep> {
  const log = new TrialLog(deps.store, sweepId);
  // Side by side: a pass is on the hand-out path of the trial it queues.
  const [stored, cancelled, events] = await Promise.all([readStoredSweep(deps.store, sweepId), deps.cancel.isRequested(sweepId), log.events()]);
  const { spec } = stored;
  const scheduler: TrialScheduler | null = spec.earlyTerminate
    ? new AshaScheduler({ minEpochs: spec.earlyTerminate.minEpochs, reductionFactor: spec.earlyTerminate.reductionFactor, maxEpochs: spec.earlyTerminate.maxEpochs })
    : null;
  const fullBudget = spec.earlyTerminate?.maxEpochs ?? Number(((stored.baseRaw.trainer as Record<string, Record<string, unknown>>).params ?? {}).nr_epochs ?? 500);
  const firstBudget = scheduler?.rungs()[0] ?? fullBudget;
  const now = () => new Date().toISOString();

  let trials = trialsOf(events);
  const reports = events.flatMap((event): TrialReport[] =>
    event.type === 'reported' ? [{ trialId: event.index, epoch: event.epoch, value: lossOf(event.value, spec.metric.goal) }] : [],
  );

  // 1. Collect what each running trial's last stretch of training produced.
  const runningTrials = trials.filter((t) => t.status === 'running');
  const runningRecords = await Promise.all(runningTrials.map((t) => deps.runs.get(t.runId)));
  for (const [position, trial] of runningTrials.entries()) {
    const run = runningRecords[position];
    if (run === null || !stretchFinished(run, trial)) {
      if (cancelled) await cancelTrial(trial, run);
      else await ensureQueued(trial, run);
      continue;
    }
    if (run.status === 'failed' || run.status === 'cancelled') {
      await log.append({ type: 'finished', index: trial.index, status: run.status, epochsRun: run.epoch, at: now() });
      continue;
    }
    const value = await metricAt(trial.runId, run.epoch);
    // A pass that died after reporting and before deciding reports once, not twice.
    if (value !== null && trial.reports[String(run.epoch)] === undefined) {
      await log.append({ type: 'reported', index: trial.index, epoch: run.epoch, value, at: now() });
      reports.push({ trialId: trial.index, epoch: run.epoch, value: lossOf(value, spec.metric.goal) });
    }
    const atFullBudget = run.epoch >= fullBudget || run.stoppedEarly || value === null;
    const verdict = scheduler === null || atFullBudget ? 'stop' : scheduler.decide({ trialId: trial.index, epoch: run.epoch, value: lossOf(value, spec.metric.goal) }, reports);
    if (!atFullBudget && verdict === 'continue' && !cancelled) {
      await continueTrial(trial, nextRung(scheduler!, run.epoch));
    } else {
      await log.append({ type: 'finished', index: trial.index, status: atFullBudget ? 'completed' : 'stopped', epochsRun: run.epoch, at: now() });
    }
  }

  trials = await log.trials();
  let running = trials.filter((t) => t.status === 'running').length;
  if (cancelled) return running === 0 ? { kind: 'done', status: 'cancelled' } : { kind: 'wait' };

  // 2. Propose new trials while there is room.
  const sampler = samplerFor(spec);
  let proposedCount = trials.length;
  let exhausted = false;
  while (running < spec.maxConcurrent && proposedCount < spec.maxTrials) {
    const finished = trials.filter((t) => t.value !== null && t.status !== 'running').map((t) => ({ params: t.params, value: lossOf(t.value!, spec.metric.goal) }));
    const params = sampler.propose({ finished, running: trials.filter((t) => t.status === 'running').map((t) => ({ params: t.params })), random: new SeededRandom(spec.seed).fork(`trial-${proposedCount}`) });
    if (params === null) {
      exhausted = true;
      break;
    }
    const index = proposedCount;
    await log.append({ type: 'proposed', index, runId: trialRunId(sweepId, index), params, budget: firstBudget, at: now() });
    trials = await log.trials();
    await ensureQueued(trials.find((t) => t.index === index)!, null);
    proposedCount += 1;
    running += 1;
  }

  // 3. With nothing new to try, promote stopped trials that now rank in their rung's top group.
  if (scheduler !== null && (proposedCount >= spec.maxTrials || exhausted)) {
    while (running < spec.maxConcurrent) {
      const busy = new Set(trials.filter((t) => t.status !== 'stopped').map((t) => t.index));
      const promotion = scheduler.promotable(reports, busy);
      if (promotion === null) break;
      await continueTrial(trials.find((t) => t.index === promotion.trialId)!, promotion.toEpoch);
      trials = await log.trials();
      running += 1;
    }
  }
  if (running === 0) {
    await writeLeaderboard(deps.store, sweepId, spec.metric, await log.trials());
    return { kind: 'done', status: 'completed' };
  }
  return { kind: 'wait' };

  function stretchFinished(run: RunRecord, trial: TrialView): boolean {
    if (run.status === 'failed' || run.status === 'cancelled') return true;
    return run.status === 'completed' && (run.epoch >= trial.budget || run.stoppedEarly);
  }

  async function metricAt(runId: string, epochs: number): Promise<number | null> {
    const records = await deps.runs.metrics(runId);
    const record: EpochMetrics | undefined = records.find((r) => r.epoch === epochs - 1) ?? records.at(-1);
    if (record === undefined) return null;
    const value = spec.metric.name.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), record);
    return typeof value === 'number' ? value : null;
  }

  function trialConfig(trial: TrialView, budget: number): StoredSweep['baseRaw'] {
    return applyOverrides(stored.baseRaw, { ...trial.params, name: `${spec.name}-t${trial.index}`, 'trainer.params.nr_epochs': budget }, `sweep ${sweepId} trial ${trial.index}`);
  }

  /** The trial's run exists and a job takes it to its budget (created when missing). */
  async function ensureQueued(trial: TrialView, run: RunRecord | null): Promise<void> {
    // A trial under way with its job in the queue needs nothing: checked before its config is built and parsed again.
    const underWay = run !== null && (run.status === 'queued' || run.status === 'running') && run.totalEpochs >= trial.budget;
    if (underWay && (await deps.routing.queues.of('train', run.requires).getJob(trialJobId(sweepId, trial.index, trial.budget))) !== undefined) return;
    const raw = trialConfig(trial, trial.budget);
    const { config } = parseExperimentConfigObject(raw, `sweep ${sweepId} trial ${trial.index}`);
    const configYaml = serializeConfigYaml(raw);
    const submittedBy = stored.submittedBy ?? ANONYMOUS;
    if (run === null) {
      await deps.runs.create(newRunRecord(trial.runId, config, configYaml, submittedBy), configYaml);
    } else if (run.status === 'completed' && run.totalEpochs < trial.budget) {
      await deps.store.write(runPaths(trial.runId).config, configYaml);
      await deps.runs.update(trial.runId, (r) => ({ ...r, status: 'queued', totalEpochs: trial.budget, finishedAt: null }));
    }
    const jobId = trialJobId(sweepId, trial.index, trial.budget);
    if ((await deps.routing.queues.of('train', config.requires).getJob(jobId)) !== undefined) return;
    await enqueueTrainJob(deps.routing, {
      runId: trial.runId,
      name: config.name,
      config: raw,
      routing: { requires: config.requires, priority: config.priority, submittedBy },
      jobId,
      parent: { id: parent.id!, queue: parent.queueQualifiedName },
    });
  }

  async function continueTrial(trial: TrialView, budget: number): Promise<void> {
    await log.append({ type: 'continued', index: trial.index, budget, at: now() });
    await ensureQueued({ ...trial, status: 'running', budget }, await deps.runs.get(trial.runId));
  }

  async function cancelTrial(trial: TrialView, run: RunRecord | null): Promise<void> {
    await deps.cancel.request(trial.runId);
    const job = await deps.routing.queues.of('train', run?.requires ?? []).getJob(trialJobId(sweepId, trial.index, trial.budget));
    const state = job === undefined ? 'missing' : await job.getState();
    if (job === undefined || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'completed' || state === 'failed') {
      await job?.remove().catch(() => undefined);
      if (job !== undefined) await deps.routing.fairShare.forget(stored.submittedBy ?? ANONYMOUS, job.queueName, job.id!);
      if (run !== null && run.status !== 'completed' && run.status !== 'failed') {
        await deps.runs.update(trial.runId, (r) => ({ ...r, status: 'cancelled', finishedAt: now() }));
      }
      await log.append({ type: 'finished', index: trial.index, status: 'cancelled', epochsRun: run?.epoch ?? 0, at: now() });
    }
  }
}

function nextRung(scheduler: TrialScheduler, epoch: number): number {
  return scheduler.rungs().find((rung) => rung > epoch) ?? epoch;
}

/** `leaderboard.json`: the trials ranked by their last reported metric, best first. */
export async function writeLeaderboard(store: ArtifactStore, sweepId: string, metric: SweepRecord['metric'], trials: TrialView[]): Promise<void> {
  await store.write(sweepPaths(sweepId).leaderboard, JSON.stringify(leaderboardOf(metric, trials), null, 2));
}

export function leaderboardOf(metric: SweepRecord['metric'], trials: TrialView[]) {
  const ranked = trials
    .filter((trial) => trial.value !== null && Number.isFinite(trial.value))
    .sort((a, b) => lossOf(a.value!, metric.goal) - lossOf(b.value!, metric.goal));
  return ranked.map((trial, rank) => ({ rank: rank + 1, trial: trial.index, runId: trial.runId, value: trial.value, epochsRun: trial.epochsRun, status: trial.status, params: trial.params as TrialParams }));
}
