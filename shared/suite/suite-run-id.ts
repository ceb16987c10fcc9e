import { createHash } from 'node:crypto';

/**
 * The run of one method and seed of a suite: `<suite>-<label letters>-s<seed>-<hash>`.
 * Fixed by the three alone, so submitting a suite again finds its runs instead of
 * creating new ones; the hash of the exact label keeps two labels that read alike
 * ("AE-S", "AE S") apart.
 */
export function suiteRunId(suite: string, label: string, seed: number): string {
  const readable = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 24) || 'method';
  const hash = createHash('sha256').update(JSON.stringify([suite, label])).digest('hex').slice(0, 6);
  return `${suite}-${readable}-s${seed}-${hash}`;
}
