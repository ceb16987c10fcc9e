import type { ArtifactStore } from '../../storage/artifact-store.ts';
import { runPaths } from '../../storage/run-paths.ts';
import { epochRecordOf } from '../../contracts/metrics-log-lines.ts';
import type { EpochRecord } from './epoch-record.ts';

/** Appends one epoch's record to `runs/<id>/metrics.jsonl`. */
export async function appendEpochRecord(store: ArtifactStore, runId: string, record: EpochRecord): Promise<void> {
  await store.appendLine(runPaths(runId).metrics, JSON.stringify(record));
}

/**
 * Before training (re)starts at `epoch`, keeps only the records of earlier epochs, so an
 * epoch that is trained again is never listed twice: its record may have been appended
 * before the interruption while its checkpoint was not written. Lines that are not a
 * JSON record with a numeric `epoch` (a torn last line) are dropped too. The file is
 * rewritten atomically, and only when something changes. Returns the number of lines dropped.
 */
export async function truncateMetricsBefore(store: ArtifactStore, runId: string, epoch: number): Promise<number> {
  const key = runPaths(runId).metrics;
  if (!(await store.exists(key))) return 0;
  const lines = (await store.readText(key)).split('\n').filter((line) => line.trim().length > 0);
  const kept = lines.filter((line) => {
    const record = epochRecordOf(line);
    return record !== null && record.epoch < epoch;
  });
  if (kept.length === lines.length) return 0;
  await store.write(key, kept.map((line) => `${line}\n`).join(''));
  return lines.length - kept.length;
}
