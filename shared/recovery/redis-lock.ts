import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Deletes the key only while it still holds our token, so an expired holder never frees a newer one's lock. */
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A lock in Redis that expires on its own: whichever process sets the key first holds it
 * until it releases it or `ttlMs` passes, so a holder that dies never blocks the others
 * for longer than that.
 */
export class RedisLock {
  private token: string | null = null;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** True when this process holds the lock now. */
  async tryAcquire(): Promise<boolean> {
    const token = randomBytes(12).toString('hex');
    if ((await this.redis.set(this.key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') return false;
    this.token = token;
    return true;
  }

  async release(): Promise<void> {
    if (this.token === null) return;
    const token = this.token;
    this.token = null;
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key, token);
  }
}
