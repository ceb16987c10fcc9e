import type { RunRecord } from '../contracts/run-record.ts';

/**
 * Newest first by `createdAt` (ISO 8601 text, so code-point order is time order); the id
 * breaks ties, so the order is total and the same on every request.
 */
export function newestFirst(a: Pick<RunRecord, 'id' | 'createdAt'>, b: Pick<RunRecord, 'id' | 'createdAt'>): number {
  return descending(a.createdAt, b.createdAt) || descending(a.id, b.id);
}

function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/**
 * The creation order of the runs in storage, learned in memory from their run.json.
 * A run's `createdAt` is written once, when its run.json is created, and never changes, so
 * each run's record has to be read only once per process to place it; storage stays the
 * one record (nothing to keep in step, nothing to rebuild), and runs that another process
 * created (a sweep's trials, another API replica's submissions) are learned when they first
 * appear as folders.
 */
export class RunCreationOrder {
  private readonly createdAt = new Map<string, string>();
  private sorted: string[] | null = null;

  /** Places a run (or moves it, should its folder have been replaced by a new run of the same id). */
  remember(record: Pick<RunRecord, 'id' | 'createdAt'>): void {
    if (this.createdAt.get(record.id) === record.createdAt) return;
    this.createdAt.set(record.id, record.createdAt);
    this.sorted = null;
  }

  /** The ids among `folders` that have not been placed yet: their run.json has to be read. */
  unplaced(folders: readonly string[]): string[] {
    return folders.filter((id) => !this.createdAt.has(id));
  }

  /**
   * The placed runs among `folders` (the run folders now in storage), newest first. Runs whose
   * folder is gone are forgotten; folders not placed yet (a submission between its folder and
   * its run.json) are left out.
   */
  newestFirst(folders: readonly string[]): readonly string[] {
    const present = new Set(folders);
    for (const id of this.createdAt.keys()) {
      if (!present.has(id)) {
        this.createdAt.delete(id);
        this.sorted = null;
      }
    }
    this.sorted ??= [...this.createdAt.entries()]
      .map(([id, createdAt]) => ({ id, createdAt }))
      .sort(newestFirst)
      .map((run) => run.id);
    return this.sorted;
  }
}
