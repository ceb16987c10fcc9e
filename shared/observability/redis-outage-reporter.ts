import { isRedisUnavailable } from '../queue/redis-unavailable.ts';
import type { Logger } from './logger.ts';

/**
 * While Redis is away every connection, queue and worker reports each failed retry; the
 * log gets one line when Redis goes and one when it is back, with other errors as they come.
 */
export class RedisOutageReporter {
  private downSince: number | null = null;

  constructor(private readonly logger: Logger) {}

  /** The error listener for one source (a connection, a queue, a worker). */
  listener(source: string): (error: Error) => void {
    return (error) => {
      if (!isRedisUnavailable(error)) {
        this.logger.warn(`${source} error`, { error: error.message });
        return;
      }
      if (this.downSince !== null) return;
      this.downSince = Date.now();
      this.logger.warn('redis unreachable; retrying until it answers', { source, error: error.message });
    };
  }

  /** Called when a connection is ready: ends an outage, if there was one; true when it did. */
  ready(): boolean {
    if (this.downSince === null) return false;
    this.logger.info('redis reachable again', { outageSeconds: Math.round((Date.now() - this.downSince) / 100) / 10 });
    this.downSince = null;
    return true;
  }
}
