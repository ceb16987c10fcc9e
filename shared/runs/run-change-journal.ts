import { open, stat } from 'node:fs/promises';
import type { ArtifactStore } from '../storage/artifact-store.ts';

/**
 * The run change journal: one line with a run's id each time its run.json is written,
 * appended by RunRepository right after the write. Readers that keep every record in
 * memory (RunIndex) read only what was appended since their last look, instead of
 * visiting every run.json. It lives next to the runs, in the same storage.
 */
export const RUN_CHANGES_KEY = 'run-index/changes.log';

/**
 * How large the journal may grow before a reader starts it afresh (compactJournal): at about
 * 25 bytes a line, some 300,000 run.json writes between two rebuilds of every reader.
 */
export const JOURNAL_COMPACT_BYTES = 8 * 1024 * 1024;

/** Where a reader is in the journal: which file (its inode: a compacted journal is a new file) and how far. */
export interface JournalPosition {
  /** The journal file's inode; 0 while there is none. */
  file: number;
  offset: number;
}

/** What changed since a position: the runs named, and the position to continue from. */
export interface JournalTail {
  runIds: Set<string>;
  position: JournalPosition;
}

/**
 * Reads the journal after `from`, whole lines only (an append in progress is left for the
 * next look). Null when the journal cannot be continued from there: missing (deleted, or a
 * store without local files), another file (compacted), or shorter than `from` (replaced): the reader rebuilds.
 */
export async function readJournalTail(store: ArtifactStore, from: JournalPosition): Promise<JournalTail | null> {
  const path = await store.safeLocalPath(RUN_CHANGES_KEY);
  if (path === null) return null;
  const now = await positionAtEnd(path);
  // No journal yet and nothing read from one: no run was written since the reader's build.
  if (now === null && from.file === 0) return { runIds: new Set(), position: from };
  // A journal that appeared since the reader's build holds only changes made after it.
  const start = from.file === 0 ? { file: now?.file ?? 0, offset: 0 } : from;
  if (now === null || now.file !== start.file || now.offset < start.offset) return null;
  if (now.offset === start.offset) return { runIds: new Set(), position: start };
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(now.offset - start.offset);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start.offset);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return { runIds: new Set(complete.split('\n').filter((id) => id.length > 0)), position: { file: start.file, offset: start.offset + Buffer.byteLength(complete) } };
  } finally {
    await file.close();
  }
}

/** Where a reader that has just read every run starts: the journal's present end (file 0 when there is none yet). */
export async function journalEnd(store: ArtifactStore): Promise<JournalPosition | null> {
  const path = await store.safeLocalPath(RUN_CHANGES_KEY);
  if (path === null) return null;
  return (await positionAtEnd(path)) ?? { file: 0, offset: 0 };
}

/**
 * Starts the journal afresh: an empty file takes its place (atomically, so it is a new file).
 * Every reader then finds another file where it left off and rebuilds from every run.json,
 * which also covers a line appended to the old file while it was being replaced: its run.json
 * was written before, and the rebuild reads it after.
 */
export async function compactJournal(store: ArtifactStore): Promise<void> {
  await store.write(RUN_CHANGES_KEY, '');
}

async function positionAtEnd(path: string): Promise<JournalPosition | null> {
  try {
    const stats = await stat(path);
    return { file: stats.ino, offset: stats.size };
  } catch {
    return null;
  }
}
