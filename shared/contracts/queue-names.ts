/** The three queues of docs/architecture.md "Jobs". */
export const QUEUE_NAMES = ['train', 'sweep', 'evaluate'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The queue of sweep controller jobs (train and evaluate queues are routed: see shared/routing). */
export const SWEEP_QUEUE = 'sweep' satisfies QueueName;

/** Key prefix of every queue; `AELAB_QUEUE_PREFIX`, default `aelab`. */
export function queuePrefix(): string {
  return process.env.AELAB_QUEUE_PREFIX ?? 'aelab';
}
