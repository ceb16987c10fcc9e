import { z } from 'zod';

/**
 * A resource label: what a worker offers (`gpu`, `a100`, `80gb`) and what a job may
 * require. Lower-case letters, digits, `.`, `_` and `-`, so that a set of labels can
 * name a queue unambiguously (joined with `+`).
 */
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,39}$/;

export const workerLabelSchema = z
  .string()
  .regex(LABEL_PATTERN, { error: (issue) => `expected a label of lower-case letters, digits, ".", "_" or "-" (at most 40, starting with a letter or digit), got ${JSON.stringify(issue.input)}` });

/** `requires:` of a config or request: a list of labels, default none. */
export const requiredLabelsSchema = z.array(workerLabelSchema).max(16);

/** One sorted list without repeats: the canonical form every queue name is built from. */
export function canonicalLabels(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort();
}

/** True when a worker offering `offered` may take a job that requires `required`. */
export function labelsSatisfy(offered: Iterable<string>, required: readonly string[]): boolean {
  const have = new Set(offered);
  return required.every((label) => have.has(label));
}

/** `AELAB_WORKER_LABELS` (comma-separated) as labels; a malformed one throws naming the variable. */
export function labelsFromEnv(text: string | undefined, variable = 'AELAB_WORKER_LABELS'): string[] {
  const labels = (text ?? '')
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
  for (const label of labels) {
    if (!LABEL_PATTERN.test(label)) {
      throw new Error(`${variable}: ${JSON.stringify(label)} is not a label (lower-case letters, digits, ".", "_" or "-", at most 40)`);
    }
  }
  return canonicalLabels(labels);
}
