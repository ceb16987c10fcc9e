import type { EpochMetrics, RunRecord } from '../contracts/run-record.ts';
import { ArtifactNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { readableEpochRecords } from '../contracts/metrics-log-lines.ts';
import { runPaths } from '../storage/run-paths.ts';
import { mapConcurrently } from './map-concurrently.ts';
import { RunCreationOrder } from './run-creation-order.ts';
import { RUN_CHANGES_KEY } from './run-change-journal.ts';

/** run.json reads in flight at once while listing: enough to keep the disk busy, few enough open files. */
const LIST_READ_CONCURRENCY = 32;

/** A page of runs, newest first. */
export interface RunPage {
  runs: RunRecord[];
  total: number;
  offset: number;
  limit: number;
}

/**
 * Runs as stored: `run.json` is the record, `metrics.jsonl` the per-epoch history.
 * Redis holds queue state only; this is what survives.
 */
export class RunRepository {
  private readonly order = new RunCreationOrder();

  constructor(private readonly store: ArtifactStore) {}

  async create(record: RunRecord, configYaml: string): Promise<void> {
    const paths = runPaths(record.id);
    await this.store.write(paths.config, configYaml);
    await this.store.write(paths.runRecord, JSON.stringify(record, null, 2));
    await this.store.appendLine(RUN_CHANGES_KEY, record.id);
    this.order.remember(record);
  }

  async get(runId: string): Promise<RunRecord | null> {
    try {
      return JSON.parse(await this.store.readText(runPaths(runId).runRecord)) as RunRecord;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Read-modify-write of run.json; the writer of a run's record is one process at a time.
   * `read`: the record as the caller has just read it, which is not read again.
   */
  async update(runId: string, change: (record: RunRecord) => RunRecord, read?: RunRecord): Promise<RunRecord> {
    const current = read ?? (await this.get(runId));
    if (current === null) throw new Error(`run ${runId} has no run.json in storage`);
    const next = change(current);
    await this.store.write(runPaths(runId).runRecord, JSON.stringify(next, null, 2));
    await this.store.appendLine(RUN_CHANGES_KEY, runId);
    return next;
  }

  /** A worker took the run: one more attempt, on this host and process, backend not yet chosen. `read`: as in update(). */
  markRunning(runId: string, worker: { host: string; pid: number }, read?: RunRecord): Promise<RunRecord> {
    return this.update(runId, (r) => ({
      ...r,
      status: 'running',
      startedAt: r.startedAt ?? now(),
      attempts: r.attempts + 1,
      error: null,
      // Set again by this attempt's child when it continues from a checkpoint.
      resumedFrom: null,
      worker: { ...worker, backend: null, device: null },
    }), read);
  }

  /**
   * Back in the queue: retried after a failed attempt (`error` says why), released by a
   * worker that stopped, or resubmitted, with `totalEpochs` when a sweep extends its budget.
   */
  markQueued(runId: string, change: { error?: string | null; totalEpochs?: number } = {}): Promise<RunRecord> {
    return this.update(runId, (r) => ({ ...r, ...change, status: 'queued', finishedAt: null }));
  }

  markCancelled(runId: string): Promise<RunRecord> {
    return this.update(runId, (r) => ({ ...r, status: 'cancelled', finishedAt: now() }));
  }

  /** `outcome` may carry the last epoch's metrics and best, written with the final state in one rewrite. */
  markCompleted(runId: string, outcome: Pick<RunRecord, 'epoch' | 'stoppedEarly'> & Partial<Pick<RunRecord, 'latestMetrics' | 'best'>>): Promise<RunRecord> {
    return this.update(runId, (r) => ({ ...r, ...outcome, status: 'completed', finishedAt: now() }));
  }

  markFailed(runId: string, error: string): Promise<RunRecord> {
    return this.update(runId, (r) => ({ ...r, status: 'failed', error, finishedAt: now() }));
  }

  async configYaml(runId: string): Promise<string> {
    return this.store.readText(runPaths(runId).config);
  }

  async metrics(runId: string): Promise<EpochMetrics[]> {
    let text: string;
    try {
      text = await this.store.readText(runPaths(runId).metrics);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return [];
      throw error;
    }
    return readableEpochRecords(text);
  }

  /**
   * A page of runs, newest first: only the page's run.json are read (and, once per process,
   * those of runs it has not met yet: see RunCreationOrder). Filtering by status needs every
   * record and is the RunIndex's.
   */
  async list(options: { offset: number; limit: number }): Promise<RunPage> {
    const folders = await this.store.list('runs');
    await this.readRecords(this.order.unplaced(folders));
    const ordered = this.order.newestFirst(folders);
    const runs = await this.readRecords(ordered.slice(options.offset, options.offset + options.limit));
    return { runs, total: ordered.length, offset: options.offset, limit: options.limit };
  }

  /** The run.json of these runs in their order, skipping runs that have none (yet, or any more). */
  private async readRecords(runIds: readonly string[]): Promise<RunRecord[]> {
    const records = await mapConcurrently(runIds, LIST_READ_CONCURRENCY, (id) => this.get(id));
    const found = records.filter((record): record is RunRecord => record !== null);
    for (const record of found) this.order.remember(record);
    return found;
  }
}

function now(): string {
  return new Date().toISOString();
}
