import type { Job } from 'bullmq';
import { applyOverrides } from '../config/overrides.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
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
export async function controlSweep(deps: SweepControllerDeps, sweepId: string, parent: Job, memory?: SweepMemory): Promise<ControllerStep> {
  return (await SweepController.open(deps, sweepId, parent, memory)).pass();
}

/**
 * What a controller that stays active between passes knows already, so that a pass does not
 * read it again: the sweep as submitted (it never changes) and the trial log, which passes
 * append to here as they append to storage (under the sweep's lease, the only writer).
 */
export interface SweepMemory {
  stored: StoredSweep;
  events: TrialEvent[];
}

/** A controller's memory read from storage, once. */
export async function rememberSweep(store: ArtifactStore, sweepId: string): Promise<SweepMemory> {
  const [stored, events] = await Promise.all([readStoredSweep(store, sweepId), new TrialLog(store, sweepId).events()]);
  return { stored, events };
}

/** A sweep as one pass sees it: collect what trials produced, propose new ones, promote stopped ones. */
export class SweepController {
  private readonly spec: StoredSweep['spec'];
  private readonly log: TrialLog;
  private readonly scheduler: TrialScheduler;
  private readonly fullBudget: number;
  private events: TrialEvent[] = [];
  private trials: TrialView[] = [];
  private reports: TrialReport[] = [];
  private running = 0;
  /** Running trials whose training is over (their last records are being written): their slots are free. */
  private trainingOver = 0;
  /** Where this pass queues trials: the per-user cap is the one read as the pass began. */
  private readonly routing: RoutingDeps;

  private constructor(
    private readonly deps: SweepControllerDeps,
    private readonly sweepId: string,
    private readonly parent: Job,
    private readonly stored: StoredSweep,
    private readonly cancelled: boolean,
    cap: number | null,
  ) {
    this.routing = { ...deps.routing, cap };
    const { spec } = stored;
    this.spec = spec;
    this.log = new TrialLog(deps.store, sweepId);
    this.fullBudget = spec.earlyTerminate?.maxEpochs ?? Number(((stored.baseRaw.trainer as Record<string, Record<string, unknown>>).params ?? {}).nr_epochs ?? 500);
    this.scheduler = spec.earlyTerminate
      ? new AshaScheduler({ minEpochs: spec.earlyTerminate.minEpochs, reductionFactor: spec.earlyTerminate.reductionFactor, maxEpochs: spec.earlyTerminate.maxEpochs })
      : new NoEarlyStopping(this.fullBudget);
  }

  /** Without `memory` the pass reads the sweep and its trial log from storage. */
  static async open(deps: SweepControllerDeps, sweepId: string, parent: Job, memory?: SweepMemory): Promise<SweepController> {
    // Side by side: a pass is on the hand-out path of the trial it queues.
    const [sweep, cancelled, events, cap] = await Promise.all([
      memory?.stored ?? readStoredSweep(deps.store, sweepId),
      deps.cancel.isRequested(sweepId),
      memory?.events ?? new TrialLog(deps.store, sweepId).events(),
      deps.routing.fairShare.cap(),
    ]);
    const controller = new SweepController(deps, sweepId, parent, sweep, cancelled, cap);
    controller.readEvents(events);
    return controller;
  }

  private readEvents(events: TrialEvent[]): void {
    this.events = events;
    this.trials = trialsOf(events);
    this.reports = events.flatMap((event): TrialReport[] =>
      event.type === 'reported' ? [{ trialId: event.index, epoch: event.epoch, value: lossOf(event.value, this.spec.metric.goal) }] : [],
    );
  }

  /** Appends decisions to the trial log in one write; this pass's view (and the memory it was given) follows them without reading the log again. */
  private async append(...events: TrialEvent[]): Promise<void> {
    await this.log.append(...events);
    this.events.push(...events);
    this.trials = trialsOf(this.events);
  }

  async pass(): Promise<ControllerStep> {
    await this.collectRunning();
    this.running = this.trials.filter((t) => t.status === 'running').length;
    if (this.cancelled) return this.running === 0 ? { kind: 'done', status: 'cancelled' } : { kind: 'wait' };
    const exhausted = await this.propose();
    if (this.trials.length >= this.spec.maxTrials || exhausted) await this.promote();
    if (this.running === 0) {
      await writeLeaderboard(this.deps.store, this.sweepId, this.spec.metric, this.trials);
      return { kind: 'done', status: 'completed' };
    }
    return { kind: 'wait' };
  }

  /**
   * Running trials: those still training keep their job (side by side, each is a queue round
   * trip), those whose stretch ended are collected in index order. A trial trained to its full
   * budget that is still writing its last records (checkpoint, run record) leaves its slot to
   * the next trial at once: it can only end, so the sweep never trains more than max_concurrent
   * trials, and the next one is queued before this one's job is acknowledged.
   */
  private async collectRunning(): Promise<void> {
    const running = this.trials.filter((t) => t.status === 'running');
    const records = await Promise.all(running.map((t) => this.deps.runs.get(t.runId)));
    const seen = running.map((trial, position) => ({ trial, run: records[position] ?? null }));
    const underWay = seen.filter(({ trial, run }) => run === null || !stretchFinished(run, trial));
    if (this.cancelled) {
      for (const { trial, run } of underWay) await this.cancelTrial(trial, run);
    } else {
      const [over] = await Promise.all([
        Promise.all(underWay.map(({ trial, run }) => this.trainedToTheEnd(trial, run))),
        Promise.all(underWay.map(({ trial, run }) => this.ensureQueued(trial, run))),
      ]);
      this.trainingOver = over.filter(Boolean).length;
    }
    for (const { trial, run } of seen) if (run !== null && stretchFinished(run, trial)) await this.collect(trial, run);
  }

  /**
   * A running trial at its full budget whose last epoch's record is in metrics.jsonl (written
   * before its checkpoint, its final run record and its job's end): it trains no more and can only end.
   */
  private async trainedToTheEnd(trial: TrialView, run: RunRecord | null): Promise<boolean> {
    if (run?.status !== 'running' || trial.budget < this.fullBudget || run.epoch < trial.budget - 1) return false;
    if (run.epoch >= trial.budget) return true;
    return (await this.deps.runs.metrics(trial.runId)).some((record) => record.epoch === trial.budget - 1);
  }

  /** Trials holding a slot: running, less those whose training is over. */
  private get busySlots(): number {
    return this.running - this.trainingOver;
  }

  /** What a running trial's last stretch of training produced, and whether it goes on. */
  private async collect(trial: TrialView, run: RunRecord): Promise<void> {
    if (run.status === 'failed' || run.status === 'cancelled') {
      await this.append({ type: 'finished', index: trial.index, status: run.status, epochsRun: run.epoch, at: now() });
      return;
    }
    const value = await this.metricAt(trial.runId, run.epoch);
    // The report goes into the log with the decision it leads to, in one write. A pass that
    // died after reporting (a log from before reports and decisions were written together)
    // reports once, not twice.
    const reported: TrialEvent[] = [];
    if (value !== null && trial.reports[String(run.epoch)] === undefined) {
      reported.push({ type: 'reported', index: trial.index, epoch: run.epoch, value, at: now() });
      this.reports.push({ trialId: trial.index, epoch: run.epoch, value: lossOf(value, this.spec.metric.goal) });
    }
    const atFullBudget = run.epoch >= this.fullBudget || run.stoppedEarly || value === null;
    const verdict = atFullBudget ? 'stop' : this.scheduler.decide({ trialId: trial.index, epoch: run.epoch, value: lossOf(value, this.spec.metric.goal) }, this.reports);
    if (!atFullBudget && verdict === 'continue' && !this.cancelled) {
      await this.continueTrial(trial, nextRung(this.scheduler, run.epoch), reported);
    } else {
      await this.append(...reported, { type: 'finished', index: trial.index, status: atFullBudget ? 'completed' : 'stopped', epochsRun: run.epoch, at: now() });
    }
  }

  /** New trials while there is room; true when the sampler has nothing left to try. */
  private async propose(): Promise<boolean> {
    const { spec } = this;
    const sampler = samplerFor(spec);
    while (this.busySlots < spec.maxConcurrent && this.trials.length < spec.maxTrials) {
      const finished = this.trials.filter((t) => t.value !== null && t.status !== 'running').map((t) => ({ params: t.params, value: lossOf(t.value!, spec.metric.goal) }));
      const index = this.trials.length;
      const params = sampler.propose({ finished, running: this.trials.filter((t) => t.status === 'running').map((t) => ({ params: t.params })), random: new SeededRandom(spec.seed).fork(`trial-${index}`) });
      if (params === null) return true;
      await this.append({ type: 'proposed', index, runId: trialRunId(this.sweepId, index), params, budget: this.scheduler.rungs()[0] ?? this.fullBudget, at: now() });
      await this.ensureQueued(this.trials.find((t) => t.index === index)!, null);
      this.running += 1;
    }
    return false;
  }

  /** With nothing new to try, stopped trials that now rank in their rung's top group go on. */
  private async promote(): Promise<void> {
    while (this.busySlots < this.spec.maxConcurrent) {
      const busy = new Set(this.trials.filter((t) => t.status !== 'stopped').map((t) => t.index));
      const promotion = this.scheduler.promotable(this.reports, busy);
      if (promotion === null) return;
      await this.continueTrial(this.trials.find((t) => t.index === promotion.trialId)!, promotion.toEpoch);
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
    if (underWay && (await this.jobExists(run.requires, trialJobId(this.sweepId, trial.index, trial.budget)))) return;
    const source = `sweep ${this.sweepId} trial ${trial.index}`;
    const raw = applyOverrides(this.stored.baseRaw, { ...trial.params, name: `${this.spec.name}-t${trial.index}`, 'trainer.params.nr_epochs': trial.budget }, source);
    const { config } = parseExperimentConfigObject(raw, source);
    const configYaml = serializeConfigYaml(raw);
    const jobId = trialJobId(this.sweepId, trial.index, trial.budget);
    // The run's files and the queue's answer side by side: both are on the trial's hand-out path.
    const [queued] = await Promise.all([this.jobExists(config.requires, jobId), this.prepareRun(trial, run, config, configYaml)]);
    if (queued) return;
    await enqueueTrainJob(this.routing, {
      runId: trial.runId,
      name: config.name,
      config: raw,
      routing: { requires: config.requires, priority: config.priority, submittedBy: this.submittedBy },
      jobId,
      parent: { id: this.parent.id!, queue: this.parent.queueQualifiedName },
    });
  }

  /** Whether the job is in its queue, in any state: its state is asked for, not its data (the trial's whole config). */
  private async jobExists(requires: readonly string[], jobId: string): Promise<boolean> {
    return (await this.deps.routing.queues.of('train', requires).getJobState(jobId)) !== 'unknown';
  }

  /** A new trial's run is created; a completed one that goes on to a higher rung is queued again with its new budget. */
  private async prepareRun(trial: TrialView, run: RunRecord | null, config: ExperimentConfig, configYaml: string): Promise<void> {
    if (run === null) {
      await this.deps.runs.create(newRunRecord(trial.runId, config, configYaml, this.submittedBy), configYaml);
    } else if (run.status === 'completed' && run.totalEpochs < trial.budget) {
      await this.deps.store.write(runPaths(trial.runId).config, configYaml);
      await this.deps.runs.markQueued(trial.runId, { totalEpochs: trial.budget });
    }
  }

  /** `reported`: the report that led to going on, logged in the same write. */
  private async continueTrial(trial: TrialView, budget: number, reported: TrialEvent[] = []): Promise<void> {
    await this.append(...reported, { type: 'continued', index: trial.index, budget, at: now() });
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
    await this.append({ type: 'finished', index: trial.index, status: 'cancelled', epochsRun: run?.epoch ?? 0, at: now() });
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
