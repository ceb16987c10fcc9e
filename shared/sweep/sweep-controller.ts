import type { Job } from 'bullmq';
import { applyOverrides } from '../config/overrides.ts';
import { parseExperimentConfigObject, serializeConfigYaml } from '../config/load-experiment-config.ts';
import type { EpochMetrics, RunRecord } from '../contracts/run-record.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import type { CancelChannel } from '../queue/cancel-channel.ts';
import { ANONYMOUS, type RoutingDeps } from '../routing/enqueue-routed-job.ts';
import { enqueueTrainJob } from '../routing/enqueue-train-job.ts';
import { cancelQueuedJob } from '../runs/cancel-queued-job.ts';
import { newRunRecord } from '../runs/new-run-record.ts';
import type { RunRepository } from '../runs/run-repository.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { AshaScheduler } from './asha-scheduler.ts';
import { NoEarlyStopping } from './no-early-stopping.ts';
import { lossOf, type TrialParams } from './sampler.ts';
import { samplerFor } from './sampler-for.ts';
import type { TrialReport, TrialScheduler } from './scheduler.ts';
import { sweepPaths, trialJobId, trialRunId } from './sweep-paths.ts';
import type { SweepRecord, TrialView } from './sweep-record.ts';
import { readStoredSweep, type StoredSweep } from './stored-sweep.ts';
import { type TrialEvent, TrialLog, trialsOf } from './trial-log.ts';

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
  return (await SweepController.open(deps, sweepId, parent)).pass();
}

/** A sweep as one pass sees it: collect what trials produced, propose new ones, promote stopped ones. */
export class SweepController {
  private readonly spec: StoredSweep['spec'];
  private readonly log: TrialLog;
  private readonly scheduler: TrialScheduler;
  private readonly fullBudget: number;
  private trials: TrialView[] = [];
  private reports: TrialReport[] = [];
  private running = 0;

  private constructor(
    private readonly deps: SweepControllerDeps,
    private readonly sweepId: string,
    private readonly parent: Job,
    private readonly stored: StoredSweep,
    private readonly cancelled: boolean,
  ) {
    const { spec } = stored;
    this.spec = spec;
    this.log = new TrialLog(deps.store, sweepId);
    this.fullBudget = spec.earlyTerminate?.maxEpochs ?? Number(((stored.baseRaw.trainer as Record<string, Record<string, unknown>>).params ?? {}).nr_epochs ?? 500);
    this.scheduler = spec.earlyTerminate
      ? new AshaScheduler({ minEpochs: spec.earlyTerminate.minEpochs, reductionFactor: spec.earlyTerminate.reductionFactor, maxEpochs: spec.earlyTerminate.maxEpochs })
      : new NoEarlyStopping(this.fullBudget);
  }

  static async open(deps: SweepControllerDeps, sweepId: string, parent: Job): Promise<SweepController> {
    // Side by side: a pass is on the hand-out path of the trial it queues.
    const [stored, cancelled, events] = await Promise.all([readStoredSweep(deps.store, sweepId), deps.cancel.isRequested(sweepId), new TrialLog(deps.store, sweepId).events()]);
    const controller = new SweepController(deps, sweepId, parent, stored, cancelled);
    controller.readEvents(events);
    return controller;
  }

  private readEvents(events: TrialEvent[]): void {
    this.trials = trialsOf(events);
    this.reports = events.flatMap((event): TrialReport[] =>
      event.type === 'reported' ? [{ trialId: event.index, epoch: event.epoch, value: lossOf(event.value, this.spec.metric.goal) }] : [],
    );
  }

  async pass(): Promise<ControllerStep> {
    const runningTrials = this.trials.filter((t) => t.status === 'running');
    const runningRecords = await Promise.all(runningTrials.map((t) => this.deps.runs.get(t.runId)));
    for (const [position, trial] of runningTrials.entries()) await this.collect(trial, runningRecords[position] ?? null);
    this.trials = await this.log.trials();
    this.running = this.trials.filter((t) => t.status === 'running').length;
    if (this.cancelled) return this.running === 0 ? { kind: 'done', status: 'cancelled' } : { kind: 'wait' };
    const exhausted = await this.propose();
    if (this.trials.length >= this.spec.maxTrials || exhausted) await this.promote();
    if (this.running === 0) {
      await writeLeaderboard(this.deps.store, this.sweepId, this.spec.metric, await this.log.trials());
      return { kind: 'done', status: 'completed' };
    }
    return { kind: 'wait' };
  }

  /** What a running trial's last stretch of training produced, and whether it goes on. */
  private async collect(trial: TrialView, run: RunRecord | null): Promise<void> {
    if (run === null || !stretchFinished(run, trial)) {
      if (this.cancelled) await this.cancelTrial(trial, run);
      else await this.ensureQueued(trial, run);
      return;
    }
    if (run.status === 'failed' || run.status === 'cancelled') {
      await this.log.append({ type: 'finished', index: trial.index, status: run.status, epochsRun: run.epoch, at: now() });
      return;
    }
    const value = await this.metricAt(trial.runId, run.epoch);
    // A pass that died after reporting and before deciding reports once, not twice.
    if (value !== null && trial.reports[String(run.epoch)] === undefined) {
      await this.log.append({ type: 'reported', index: trial.index, epoch: run.epoch, value, at: now() });
      this.reports.push({ trialId: trial.index, epoch: run.epoch, value: lossOf(value, this.spec.metric.goal) });
    }
    const atFullBudget = run.epoch >= this.fullBudget || run.stoppedEarly || value === null;
    const verdict = atFullBudget ? 'stop' : this.scheduler.decide({ trialId: trial.index, epoch: run.epoch, value: lossOf(value, this.spec.metric.goal) }, this.reports);
    if (!atFullBudget && verdict === 'continue' && !this.cancelled) {
      await this.continueTrial(trial, nextRung(this.scheduler, run.epoch));
    } else {
      await this.log.append({ type: 'finished', index: trial.index, status: atFullBudget ? 'completed' : 'stopped', epochsRun: run.epoch, at: now() });
    }
  }

  /** New trials while there is room; true when the sampler has nothing left to try. */
  private async propose(): Promise<boolean> {
    const { spec } = this;
    const sampler = samplerFor(spec);
    while (this.running < spec.maxConcurrent && this.trials.length < spec.maxTrials) {
      const finished = this.trials.filter((t) => t.value !== null && t.status !== 'running').map((t) => ({ params: t.params, value: lossOf(t.value!, spec.metric.goal) }));
      const index = this.trials.length;
      const params = sampler.propose({ finished, running: this.trials.filter((t) => t.status === 'running').map((t) => ({ params: t.params })), random: new SeededRandom(spec.seed).fork(`trial-${index}`) });
      if (params === null) return true;
      await this.log.append({ type: 'proposed', index, runId: trialRunId(this.sweepId, index), params, budget: this.scheduler.rungs()[0] ?? this.fullBudget, at: now() });
      this.trials = await this.log.trials();
      await this.ensureQueued(this.trials.find((t) => t.index === index)!, null);
      this.running += 1;
    }
    return false;
  }

  /** With nothing new to try, stopped trials that now rank in their rung's top group go on. */
  private async promote(): Promise<void> {
    while (this.running < this.spec.maxConcurrent) {
      const busy = new Set(this.trials.filter((t) => t.status !== 'stopped').map((t) => t.index));
      const promotion = this.scheduler.promotable(this.reports, busy);
      if (promotion === null) return;
      await this.continueTrial(this.trials.find((t) => t.index === promotion.trialId)!, promotion.toEpoch);
      this.trials = await this.log.trials();
      this.running += 1;
    }
  }

  private async metricAt(runId: string, epochs: number): Promise<number | null> {
    const records = await this.deps.runs.metrics(runId);
    const record: EpochMetrics | undefined = records.find((r) => r.epoch === epochs - 1) ?? records.at(-1);
    if (record === undefined) return null;
    const value = this.spec.metric.name.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), record);
    return typeof value === 'number' ? value : null;
  }

  private get submittedBy(): string {
    return this.stored.submittedBy ?? ANONYMOUS;
  }

  /** The trial's run exists and a job takes it to its budget (created when missing). */
  private async ensureQueued(trial: TrialView, run: RunRecord | null): Promise<void> {
    // A trial under way with its job in the queue needs nothing: checked before its config is built and parsed again.
    const underWay = run !== null && (run.status === 'queued' || run.status === 'running') && run.totalEpochs >= trial.budget;
    if (underWay && (await this.deps.routing.queues.of('train', run.requires).getJob(trialJobId(this.sweepId, trial.index, trial.budget))) !== undefined) return;
    const source = `sweep ${this.sweepId} trial ${trial.index}`;
    const raw = applyOverrides(this.stored.baseRaw, { ...trial.params, name: `${this.spec.name}-t${trial.index}`, 'trainer.params.nr_epochs': trial.budget }, source);
    const { config } = parseExperimentConfigObject(raw, source);
    const configYaml = serializeConfigYaml(raw);
    if (run === null) {
      await this.deps.runs.create(newRunRecord(trial.runId, config, configYaml, this.submittedBy), configYaml);
    } else if (run.status === 'completed' && run.totalEpochs < trial.budget) {
      await this.deps.store.write(runPaths(trial.runId).config, configYaml);
      await this.deps.runs.markQueued(trial.runId, { totalEpochs: trial.budget });
    }
    const jobId = trialJobId(this.sweepId, trial.index, trial.budget);
    if ((await this.deps.routing.queues.of('train', config.requires).getJob(jobId)) !== undefined) return;
    await enqueueTrainJob(this.deps.routing, {
      runId: trial.runId,
      name: config.name,
      config: raw,
      routing: { requires: config.requires, priority: config.priority, submittedBy: this.submittedBy },
      jobId,
      parent: { id: this.parent.id!, queue: this.parent.queueQualifiedName },
    });
  }

  private async continueTrial(trial: TrialView, budget: number): Promise<void> {
    await this.log.append({ type: 'continued', index: trial.index, budget, at: now() });
    await this.ensureQueued({ ...trial, status: 'running', budget }, await this.deps.runs.get(trial.runId));
  }

  /** A trial no worker holds ends cancelled now; one a worker trains stops after its batch (cancel channel). */
  private async cancelTrial(trial: TrialView, run: RunRecord | null): Promise<void> {
    await this.deps.cancel.request(trial.runId);
    const job = await this.deps.routing.queues.of('train', run?.requires ?? []).getJob(trialJobId(this.sweepId, trial.index, trial.budget));
    const state = job === undefined ? 'missing' : await job.getState();
    if (job !== undefined && (state === 'completed' || state === 'failed')) {
      await job.remove().catch(() => undefined);
      await this.deps.routing.fairShare.forget(this.submittedBy, job.queueName, job.id!);
    } else if (job !== undefined && !(await cancelQueuedJob(job, this.deps.routing.fairShare, this.submittedBy))) {
      return;
    }
    if (run !== null && run.status !== 'completed' && run.status !== 'failed') await this.deps.runs.markCancelled(trial.runId);
    await this.log.append({ type: 'finished', index: trial.index, status: 'cancelled', epochsRun: run?.epoch ?? 0, at: now() });
  }
}

function stretchFinished(run: RunRecord, trial: TrialView): boolean {
  if (run.status === 'failed' || run.status === 'cancelled') return true;
  return run.status === 'completed' && (run.epoch >= trial.budget || run.stoppedEarly);
}

function now(): string {
  return new Date().toISOString();
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
