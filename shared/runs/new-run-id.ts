import { randomBytes } from 'node:crypto';

/** Sortable by creation time and unique across API processes: `r20261127-015312-3fa9c1`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}
