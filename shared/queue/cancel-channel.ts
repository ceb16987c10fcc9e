import type { Redis } from 'ioredis';
import { queuePrefix } from '../contracts/queue-names.ts';

/**
 * The one place a cancellation is recorded: a Redis key per run, set by the API and
 * read by the worker between batches. A key (not pub/sub) so that a worker that was
 * down or busy when cancel was pressed still sees it.
 */
export class CancelChannel {
  constructor(private readonly redis: Redis) {}

  private key(runId: string): string {
    return `${queuePrefix()}:cancel:${runId}`;
  }

  async request(runId: string): Promise<void> {
    // Kept a week: long enough for any queued or running run to see it.
    await this.redis.set(this.key(runId), String(Date.now()), 'EX', 7 * 24 * 3600);
  }

  async isRequested(runId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(runId))) === 1;
  }

  async clear(runId: string): Promise<void> {
    await this.redis.del(this.key(runId));
  }
}
