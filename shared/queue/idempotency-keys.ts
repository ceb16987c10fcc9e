import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { queuePrefix } from '../contracts/queue-names.ts';

/** How long a client's Idempotency-Key keeps naming the run it created: a day. */
const KEY_TTL_SECONDS = 24 * 3600;
/** A duplicate that arrives while the first request is still creating waits at most this long, by default. */
const WAIT_FOR_FIRST_MS = 10_000;

/** A duplicate arrived while the first request with its key is still creating (HTTP 409). */
export class IdempotencyKeyBusyError extends Error {
  constructor() {
    super('Idempotency-Key: the first request with this key is still being processed; retry shortly');
    this.name = 'IdempotencyKeyBusyError';
  }
}

/**
 * `Idempotency-Key` support: the first request with a key creates the resource, every
 * later one (also a concurrent one) gets the same resource id. Keys are stored hashed, in
 * Redis, so every API process sees them.
 */
export class IdempotencyKeys {
  constructor(
    private readonly redis: Redis,
    private readonly waitForFirstMs: number = WAIT_FOR_FIRST_MS,
  ) {}

  private key(scope: string, clientKey: string): string {
    return `${queuePrefix()}:idempotency:${scope}:${createHash('sha256').update(clientKey).digest('hex')}`;
  }

  /**
   * Runs `create` once per (scope, key) and returns its id; a duplicate returns the id the
   * first request created. When `create` fails, the key is released so a retry can succeed.
   */
  async once(scope: string, clientKey: string, create: () => Promise<string>): Promise<{ id: string; created: boolean }> {
    const key = this.key(scope, clientKey);
    if ((await this.redis.set(key, '', 'EX', KEY_TTL_SECONDS, 'NX')) === 'OK') {
      try {
        const id = await create();
        await this.redis.set(key, id, 'EX', KEY_TTL_SECONDS);
        return { id, created: true };
      } catch (error) {
        await this.redis.del(key);
        throw error;
      }
    }
    const deadline = Date.now() + this.waitForFirstMs;
    for (;;) {
      const id = await this.redis.get(key);
      if (id !== null && id !== '') return { id, created: false };
      if (id === null) return this.once(scope, clientKey, create);
      if (Date.now() > deadline) throw new IdempotencyKeyBusyError();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
