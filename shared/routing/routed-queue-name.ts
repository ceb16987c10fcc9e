import { canonicalLabels } from '../contracts/worker-labels.ts';

/** The kinds of job that go to the worker whose labels qualify; sweep controllers run anywhere. */
export const ROUTED_KINDS = ['train', 'evaluate'] as const;
export type RoutedKind = (typeof ROUTED_KINDS)[number];

/**
 * The one place a queue is named from a job's requirements: `train` for none,
 * `train@gpu` for `[gpu]`, `train@80gb+a100+gpu` for several (sorted, so every order of
 * the same set lands in the same queue).
 */
export function routedQueueName(kind: RoutedKind, requires: readonly string[]): string {
  const labels = canonicalLabels(requires);
  return labels.length === 0 ? kind : `${kind}@${labels.join('+')}`;
}

/** The kind and requirements a routed queue name stands for, or null for any other name. */
export function parseRoutedQueueName(name: string): { kind: RoutedKind; requires: string[] } | null {
  const [kind, labels] = name.split('@', 2);
  if (!(ROUTED_KINDS as readonly string[]).includes(kind)) return null;
  return { kind: kind as RoutedKind, requires: labels === undefined ? [] : labels.split('+') };
}
