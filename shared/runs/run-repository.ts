import type { EpochMetrics, RunRecord, RunStatus } from '../contracts/run-record.ts';
import { ArtifactNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';

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
  constructor(private readonly store: ArtifactStore) {}

  async create(record: RunRecord, configYaml: string): Promise<void> {
    const paths = runPaths(record.id);
    await this.store.write(paths.config, configYaml);
    await this.store.write(paths.runRecord, JSON.stringify(record, null, 2));
  }

  async get(runId: string): Promise<RunRecord | null> {
    try {
      return JSON.parse(await this.store.readText(runPaths(runId).runRecord)) as RunRecord;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  /** Read-modify-write of run.json; the writer of a run's record is one process at a time. */
  async update(runId: string, change: (record: RunRecord) => RunRecord): Promise<RunRecord> {
    const current = await this.get(runId);
    if (current === null) throw new Error(`run ${runId} has no run.json in storage`);
    const next = change(current);
    await this.store.write(runPaths(runId).runRecord, JSON.stringify(next, null, 2));
    return next;
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
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as EpochMetrics);
  }

  async list(options: { status?: RunStatus; offset: number; limit: number }): Promise<RunPage> {
    const ids = await this.store.list('runs');
    const records = (await Promise.all(ids.map((id) => this.get(id)))).filter((record): record is RunRecord => record !== null);
    const matching = records
      .filter((record) => options.status === undefined || record.status === options.status)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return {
      runs: matching.slice(options.offset, options.offset + options.limit),
      total: matching.length,
      offset: options.offset,
      limit: options.limit,
    };
  }
}
