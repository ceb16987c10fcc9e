import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord, RunStatus } from '../contracts/run-record.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { mapConcurrently } from './map-concurrently.ts';
import { newestFirst } from './run-creation-order.ts';
import { durationOf } from './run-duration.ts';
import type { RunPage, RunRepository } from './run-repository.ts';

/** Columns a run table can be sorted by: every one is a field of run.json or follows from one. */
export const RUN_SORT_KEYS = ['createdAt', 'name', 'status', 'model', 'epoch', 'startedAt', 'duration', 'best'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

export interface RunQuery {
  status?: RunStatus;
  /** Model registry name, exact. */
  model?: string;
  /** Case-insensitive substring of the id or the name. */
  text?: string;
  sort: RunSortKey;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** stat and read calls in flight at once while refreshing. */
const REFRESH_CONCURRENCY = 32;

interface IndexedRun {
  /** mtime and size of run.json when it was read: a rewrite changes at least one. */
  version: string;
  record: RunRecord;
}

/**
 * Every run's record in memory, for tables that filter and sort over all runs (10,000 and
 * more) on every poll. A refresh stats each run.json and reads again only those whose mtime
 * or size changed; refreshes are shared by the requests of `freshForMs` so that many browsers
 * polling at once cost one pass over storage.
 */
export class RunIndex {
  private readonly entries = new Map<string, IndexedRun>();
  private refreshed: { at: number; done: Promise<void> } | null = null;

  constructor(
    private readonly store: ArtifactStore,
    private readonly runs: RunRepository,
    private readonly freshForMs = 1000,
  ) {}

  async query(query: RunQuery): Promise<RunPage & { models: string[] }> {
    await this.refresh();
    const all = [...this.entries.values()].map((entry) => entry.record);
    const text = query.text?.toLowerCase();
    const matching = all.filter(
      (run) =>
        (query.status === undefined || run.status === query.status) &&
        (query.model === undefined || run.model === query.model) &&
        (text === undefined || run.id.toLowerCase().includes(text) || run.name.toLowerCase().includes(text)),
    );
    matching.sort((a, b) => orderedBy(query.sort, query.order, a, b) || newestFirst(a, b));
    return {
      runs: matching.slice(query.offset, query.offset + query.limit),
      total: matching.length,
      offset: query.offset,
      limit: query.limit,
      models: [...new Set(all.map((run) => run.model))].sort(),
    };
  }

  private refresh(): Promise<void> {
    const now = Date.now();
    if (this.refreshed !== null && now - this.refreshed.at < this.freshForMs) return this.refreshed.done;
    const done = this.readChanged().catch((error: unknown) => {
      this.refreshed = null;
      throw error;
    });
    this.refreshed = { at: now, done };
    return done;
  }

  private async readChanged(): Promise<void> {
    const folders = await this.store.list('runs');
    const present = new Set(folders);
    for (const id of this.entries.keys()) if (!present.has(id)) this.entries.delete(id);
    // Only stat goes through this path (reads go through the store), so one resolved root will do.
    const root = await this.store.safeLocalPath('runs');
    if (root === null) return;
    await mapConcurrently(folders, REFRESH_CONCURRENCY, async (id) => {
      const version = await versionOf(join(root, id, 'run.json'));
      if (version === null) {
        this.entries.delete(id);
        return;
      }
      if (this.entries.get(id)?.version === version) return;
      const record = await this.runs.get(id);
      if (record === null) this.entries.delete(id);
      else this.entries.set(id, { version, record });
    });
  }
}

/** mtime and size of a run.json, or null when there is none (yet, or any more). */
async function versionOf(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return null;
  }
}

/** Runs without a value for the key (not started, no best yet) come last in either order. */
function orderedBy(key: RunSortKey, order: 'asc' | 'desc', a: RunRecord, b: RunRecord): number {
  const x = sortValue(key, a);
  const y = sortValue(key, b);
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return (x < y ? -1 : 1) * (order === 'asc' ? 1 : -1);
}

function sortValue(key: RunSortKey, run: RunRecord): string | number | null {
  if (key === 'duration') return durationOf(run);
  if (key === 'best') return run.best?.value ?? null;
  return run[key];
}
