import { ArtifactNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { evaluationIndexKey, evaluationPaths } from './evaluation-paths.ts';
import type { EvaluationRecord, TaskResult } from './evaluation-record.ts';

/** Evaluations as stored: a record per evaluation and an index from its id to its run. */
export class EvaluationRepository {
  constructor(private readonly store: ArtifactStore) {}

  async create(record: EvaluationRecord): Promise<void> {
    const paths = evaluationPaths(record.runId, record.id);
    await this.store.write(paths.record, JSON.stringify(record, null, 2));
    await this.store.write(evaluationIndexKey(record.id), JSON.stringify({ runId: record.runId }));
  }

  async get(evalId: string): Promise<EvaluationRecord | null> {
    try {
      const { runId } = JSON.parse(await this.store.readText(evaluationIndexKey(evalId))) as { runId: string };
      return JSON.parse(await this.store.readText(evaluationPaths(runId, evalId).record)) as EvaluationRecord;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  async update(record: EvaluationRecord, change: (current: EvaluationRecord) => EvaluationRecord): Promise<EvaluationRecord> {
    const next = change((await this.get(record.id)) ?? record);
    await this.store.write(evaluationPaths(next.runId, next.id).record, JSON.stringify(next, null, 2));
    return next;
  }

  /** Every evaluation of a run, oldest first. */
  async ofRun(runId: string): Promise<EvaluationRecord[]> {
    const records: EvaluationRecord[] = [];
    for (const evalId of await this.store.list(`${runPaths(runId).root}/eval`)) {
      try {
        records.push(JSON.parse(await this.store.readText(evaluationPaths(runId, evalId).record)) as EvaluationRecord);
      } catch (error) {
        if (!(error instanceof ArtifactNotFoundError)) throw error;
      }
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The run's most recently finished completed evaluation, or null when it has none. */
  async newestCompleted(runId: string): Promise<EvaluationRecord | null> {
    return newestCompletedOf(await this.ofRun(runId));
  }

  /** results.json's tasks, or null before the evaluation has finished. */
  async results(record: EvaluationRecord): Promise<TaskResult[] | null> {
    try {
      return (JSON.parse(await this.store.readText(evaluationPaths(record.runId, record.id).results)) as { tasks: TaskResult[] }).tasks;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }
}

/** Of a run's evaluations, the completed one that finished last, or null. */
export function newestCompletedOf(records: readonly EvaluationRecord[]): EvaluationRecord | null {
  const completed = records.filter((record) => record.status === 'completed');
  return completed.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '')).at(-1) ?? null;
}
