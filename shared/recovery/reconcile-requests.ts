import type { Redis } from 'ioredis';
import { queuePrefix } from '../contracts/queue-names.ts';

/** The channel on which any process asks the API's reconciler for a pass now. */
export function reconcileChannel(): string {
  return `${queuePrefix()}:reconcile-requests`;
}

/**
 * Asks for a reconciler pass, e.g. from a worker whose Redis connection came back after an
 * outage. Best effort: when no API listens at that moment, its periodic pass comes anyway.
 */
export async function requestReconcile(redis: Redis, reason: string): Promise<void> {
  await redis.publish(reconcileChannel(), reason);
}
