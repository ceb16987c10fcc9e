import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName, queuePrefix } from '../contracts/queue-names.ts';

/** One Queue object per queue name, on a shared connection. */
export function openQueues(connection: Redis): Record<QueueName, Queue> {
  const prefix = queuePrefix();
  const entries = QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })] as const);
  return Object.fromEntries(entries) as Record<QueueName, Queue>;
}
