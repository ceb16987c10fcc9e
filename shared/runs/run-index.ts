import type { RunRecord, RunStatus } from '../contracts/run-record.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { mapConcurrently } from './map-concurrently.ts';
import { compactJournal, JOURNAL_COMPACT_BYTES, journalEnd, type JournalPosition, readJournalTail } from './run-change-journal.ts';
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

/** run.json reads in flight at once while rebuilding. */
const REBUILD_CONCURRENCY = 32;

/**
 * Every run's record in memory, for tables that filter and sort over all runs (10,000 and
 * more) on every poll. Built once from every run.json, then kept current from the run change
 * journal (run-change-journal.ts): a refresh lists the run folders and reads what was
 * appended to the journal since the last one, and re-reads only those runs. It is rebuilt from storage when the journal is missing or was
 * replaced; the index that finds the journal past `compactAtBytes` starts it afresh (every index then rebuilds once). Refreshes are shared by the requests of `freshForMs`, so that many browsers
 * polling at once cost one look at the journal.
 */
export class RunIndex {
  private readonly entries = new Map<string, RunRecord>();
  /** Where the journal was read up to; null until built, or when it must be built again. */
  private journal: JournalPosition | null = null;
  private refreshed: { at: number; done: Promise<void> } | null = null;

  constructor(
    private readonly store: ArtifactStore,
    private readonly runs: RunRepository,
    private readonly freshForMs = 250,
    private readonly compactAtBytes = JOURNAL_COMPACT_BYTES,
  ) {}

  async query(query: RunQuery): Promise<RunPage & { models: string[] }> {
    await this.refresh();
    const all = [...this.entries.values()];
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
    const done = this.catchUp().catch((error: unknown) => {
      this.refreshed = null;
      throw error;
    });
    this.refreshed = { at: now, done };
    return done;
  }

  private async catchUp(): Promise<void> {
    const tail = this.journal === null ? null : await readJournalTail(this.store, this.journal);
    if (tail === null) return this.rebuild();
    // One directory listing notices runs removed from storage, and any created without a journal line.
    const folders = new Set(await this.store.list('runs'));
    for (const id of this.entries.keys()) if (!folders.has(id)) this.entries.delete(id);
    for (const id of folders) if (!this.entries.has(id)) tail.runIds.add(id);
    await mapConcurrently([...tail.runIds], REBUILD_CONCURRENCY, (id) => this.reread(id));
    this.journal = tail.position;
    if (tail.position.offset < this.compactAtBytes) return;
    // Lines appended to the old file while it was replaced are read by the rebuild; storage that refuses writes keeps the journal as it is.
    await compactJournal(this.store).then(
      () => {
        this.journal = null;
      },
      () => undefined,
    );
  }

  /** Reads every run.json. The journal's end is taken first, so that a write during the rebuild is read again after it. */
  private async rebuild(): Promise<void> {
    const position = await journalEnd(this.store);
    const folders = await this.store.list('runs');
    this.entries.clear();
    await mapConcurrently(folders, REBUILD_CONCURRENCY, (id) => this.reread(id));
    this.journal = position;
  }

  private async reread(id: string): Promise<void> {
    const record = await this.runs.get(id);
    if (record === null) this.entries.delete(id);
    else this.entries.set(id, record);
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
