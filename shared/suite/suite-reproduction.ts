import { parseExperimentConfigText } from '../config/load-experiment-config.ts';
import type { RunRecord } from '../contracts/run-record.ts';
import type { EvaluationRecord } from '../evaluation/evaluation-record.ts';
import { newestCompletedOf, type EvaluationRepository } from '../evaluation/evaluation-repository.ts';
import { submitEvaluation } from '../evaluation/evaluation-submitter.ts';
import type { CancelChannel } from '../queue/cancel-channel.ts';
import { ANONYMOUS, type JobRouting, type RoutingDeps } from '../routing/enqueue-routed-job.ts';
import { enqueueTrainJob } from '../routing/enqueue-train-job.ts';
import { queueNewRun } from '../runs/queue-new-run.ts';
import type { RunRepository } from '../runs/run-repository.ts';
import { ArtifactNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { suitePaths } from './suite-paths.ts';
import type { ParsedSuite, SuiteEntry, SuiteSpec } from './suite-spec.ts';
import { buildSuiteTable, suiteTableCsv, suiteTableMarkdown, type EvaluatedMethod, type SuiteTable } from './suite-table.ts';
import { summariseSuite, type EntryView, type SuiteView } from './suite-view.ts';

/** `reproductions/<name>/suite.json`. */
export interface SuiteRecord extends SuiteSpec {
  entries: Pick<SuiteEntry, 'label' | 'seed' | 'runId'>[];
  submittedAt: string;
}

/** The answer to a submission: the suite's state, and what this submission did to each run. */
export interface SuiteSubmission extends SuiteView {
  created: string[];
  resumed: string[];
  unchanged: string[];
}

export interface SuiteReproductionDeps {
  store: ArtifactStore;
  runs: RunRepository;
  evaluations: EvaluationRepository;
  /** The train and evaluate queues per requirement set, as every submitter uses them. */
  routing: RoutingDeps;
  cancel: CancelChannel;
}

/** Train-queue states in which a job will still train its run. */
const IN_FLIGHT = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * A suite's runs from submission to table. Everything is read again from storage and the
 * queue each time (run.json, evaluations, the train job), and run ids are fixed by suite,
 * method and seed, so submitting a suite again only queues what is missing or was
 * interrupted. Once every run has a completed evaluation the table is written to
 * `reproductions/<name>/table.{json,md,csv}`.
 */
export class SuiteReproduction {
  constructor(private readonly deps: SuiteReproductionDeps) {}

  /** `submittedBy`: the API token's name, `anonymous` when the API runs open. */
  async submit(suite: ParsedSuite, submittedBy: string): Promise<SuiteSubmission> {
    const record: SuiteRecord = {
      ...suite.spec,
      entries: suite.entries.map(({ label, seed, runId }) => ({ label, seed, runId })),
      submittedAt: new Date().toISOString(),
    };
    await this.deps.store.write(suitePaths(record.name).record, JSON.stringify(record, null, 2));
    const outcome: Pick<SuiteSubmission, 'created' | 'resumed' | 'unchanged'> = { created: [], resumed: [], unchanged: [] };
    for (const entry of suite.entries) outcome[await this.ensureTraining(entry, submittedBy)].push(entry.runId);
    return { ...(await this.viewOf(record, true)), ...outcome };
  }

  /** The suite's state now, or null when no suite of that name was submitted. */
  async progress(name: string): Promise<SuiteView | null> {
    let text: string;
    try {
      text = await this.deps.store.readText(suitePaths(name).record);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
    return this.viewOf(JSON.parse(text) as SuiteRecord, false);
  }

  /** Creates the run, or queues it again when it was interrupted; a run in flight or finished is left alone. */
  private async ensureTraining(entry: SuiteEntry, submittedBy: string): Promise<'created' | 'resumed' | 'unchanged'> {
    const run = await this.deps.runs.get(entry.runId);
    if (run === null) {
      await queueNewRun(this.deps, entry.runId, entry, submittedBy);
      return 'created';
    }
    if (run.status === 'completed') return 'unchanged';
    const job = await this.deps.routing.queues.of('train', run.requires ?? []).getJob(run.id);
    if (job !== undefined && IN_FLIGHT.has(await job.getState())) return 'unchanged';
    await job?.remove();
    await this.resume(run);
    return 'resumed';
  }

  /** Queues a failed, cancelled or orphaned run again; its worker continues from `checkpoints/latest`. */
  private async resume(run: RunRecord): Promise<void> {
    const { raw } = parseExperimentConfigText(await this.deps.runs.configYaml(run.id), runPaths(run.id).config);
    await this.deps.cancel.clear(run.id);
    await this.deps.runs.markQueued(run.id, { error: null });
    await enqueueTrainJob(this.deps.routing, { runId: run.id, name: run.name, config: raw, routing: routingOf(run) });
  }

  /**
   * The evaluation the table takes of a completed run: its newest completed one, else one
   * queued or running. With none, one is asked for; after failures only when submitting,
   * so that following a suite never loops on an evaluation that fails.
   */
  private async evaluationOf(run: RunRecord, submitting: boolean): Promise<EvaluationRecord> {
    const all = await this.deps.evaluations.ofRun(run.id);
    const completed = newestCompletedOf(all);
    if (completed !== null) return completed;
    const pending = all.find((record) => record.status === 'queued' || record.status === 'running');
    if (pending !== undefined) return pending;
    if (all.length > 0 && !submitting) return all.at(-1)!;
    const { config } = parseExperimentConfigText(await this.deps.runs.configYaml(run.id), runPaths(run.id).config);
    // The id the worker gives its own evaluation after training, so the two never both run.
    const evalId = all.length === 0 ? `${run.id}-auto` : `${run.id}-retry${all.length}`;
    return submitEvaluation({ ...this.deps.routing, evaluations: this.deps.evaluations }, { runId: run.id, checkpoint: 'best', tasks: Object.keys(config.downstreamTasks), evalId, routing: routingOf(run) });
  }

  private async viewOf(record: SuiteRecord, submitting: boolean): Promise<SuiteView> {
    const entries: EntryView[] = [];
    const evaluated = new Map<string, EvaluatedMethod>(record.methods.map((method) => [method.label, { label: method.label, runs: [] }]));
    for (const entry of record.entries) {
      const run = await this.deps.runs.get(entry.runId);
      const evaluation = run?.status === 'completed' ? await this.evaluationOf(run, submitting) : null;
      entries.push({ ...entry, run: run?.status ?? 'missing', epoch: run?.epoch ?? 0, totalEpochs: run?.totalEpochs ?? 0, evaluation: evaluation?.status ?? null, error: run?.error ?? evaluation?.error ?? null });
      const tasks = evaluation?.status === 'completed' ? await this.deps.evaluations.results(evaluation) : null;
      if (tasks !== null) evaluated.get(entry.label)!.runs.push({ runId: entry.runId, tasks });
    }
    const view = summariseSuite(record.name, entries);
    if (view.status !== 'completed') return view;
    const table = buildSuiteTable(record.name, [...evaluated.values()]);
    await this.writeTable(record.name, table, submitting);
    return { ...view, table };
  }

  /** Writes the three table files on a submission, otherwise when they differ from what is stored. */
  private async writeTable(name: string, table: SuiteTable, always: boolean): Promise<void> {
    const paths = suitePaths(name);
    const json = `${JSON.stringify(table, null, 2)}\n`;
    if (!always && (await this.deps.store.readText(paths.tableJson).catch(() => null)) === json) return;
    await this.deps.store.write(paths.tableMarkdown, suiteTableMarkdown(table));
    await this.deps.store.write(paths.tableCsv, suiteTableCsv(table));
    await this.deps.store.write(paths.tableJson, json);
  }
}

/** A run's jobs go where its first one went, with its priority and on its submitter's share. */
function routingOf(run: RunRecord): JobRouting {
  return { requires: run.requires ?? [], priority: run.priority ?? 'normal', submittedBy: run.submittedBy ?? ANONYMOUS };
}
