import { randomBytes } from 'node:crypto';

/**
 * The one shape of the ids the API hands out, sortable by creation time and unique across
 * API processes: a letter for the kind, the UTC time to the second and six random hex
 * digits, e.g. `r20261127-015312-3fa9c1`.
 */
export function newTimestampedId(kind: 'r' | 's' | 'e', now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${kind}${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A run's id: `r20261127-015312-3fa9c1`. */
export function newRunId(now: Date = new Date()): string {
  return newTimestampedId('r', now);
}

/** A sweep's id: `s20261127-015312-3fa9c1` (its trials' runs are `<sweepId>-t<k>`). */
export function newSweepId(now: Date = new Date()): string {
  return newTimestampedId('s', now);
}

/** An evaluation's id: `e20261127-015312-3fa9c1`. */
export function newEvaluationId(now: Date = new Date()): string {
  return newTimestampedId('e', now);
}
