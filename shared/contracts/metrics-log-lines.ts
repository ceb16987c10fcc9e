import type { EpochMetrics } from './run-record.ts';

/**
 * The records of a metrics.jsonl text, skipping lines that are not a JSON object with a
 * numeric `epoch`: a torn last line, left by a process killed mid-append, until the
 * run's next attempt drops it.
 */
export function readableEpochRecords(text: string): EpochMetrics[] {
  return text.split('\n').flatMap((line) => {
    const record = epochRecordOf(line);
    return record === null ? [] : [record];
  });
}

/** One metrics.jsonl line as a record, or null when it is blank or not a record with a numeric `epoch`. */
export function epochRecordOf(line: string): EpochMetrics | null {
  if (line.trim().length === 0) return null;
  try {
    const record = JSON.parse(line) as unknown;
    if (typeof record !== 'object' || record === null || typeof (record as { epoch?: unknown }).epoch !== 'number') return null;
    return record as EpochMetrics;
  } catch {
    return null;
  }
}
