import { open, stat } from 'node:fs/promises';
import type { ArtifactStore } from '../storage/artifact-store.ts';

/**
 * The run change journal: one line with a run's id each time its run.json is written,
 * appended by RunRepository right after the write. Readers that keep every record in
 * memory (RunIndex) read only what was appended since their last look, instead of
 * visiting every run.json. It lives next to the runs, in the same storage.
 */
export const RUN_CHANGES_KEY = 'run-index/changes.log';

/** What changed since `offset`: the runs named, and the offset to continue from. */
export interface JournalTail {
  runIds: Set<string>;
  offset: number;
}

/**
 * Reads the journal after `offset`, whole lines only (an append in progress is left for the
 * next look). Null when the journal cannot be continued from there: missing (deleted, or a
 * store without local files), or shorter than `offset` (replaced): the reader rebuilds.
 */
export async function readJournalTail(store: ArtifactStore, offset: number): Promise<JournalTail | null> {
  const path = await store.safeLocalPath(RUN_CHANGES_KEY);
  if (path === null) return null;
  const size = await sizeOf(path);
  // No journal yet and nothing read from one: no run was written since the reader's build.
  if (size === null && offset === 0) return { runIds: new Set(), offset };
  if (size === null || size < offset) return null;
  if (size === offset) return { runIds: new Set(), offset };
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return { runIds: new Set(complete.split('\n').filter((id) => id.length > 0)), offset: offset + Buffer.byteLength(complete) };
  } finally {
    await file.close();
  }
}

/** Where a reader that has just read every run starts: the journal's present end (0 when there is none yet). */
export async function journalEnd(store: ArtifactStore): Promise<number | null> {
  const path = await store.safeLocalPath(RUN_CHANGES_KEY);
  if (path === null) return null;
  return (await sizeOf(path)) ?? 0;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}
