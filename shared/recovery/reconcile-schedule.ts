import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { isRedisUnavailable } from '../queue/redis-unavailable.ts';
import type { QueueReconciler } from './queue-reconciler.ts';
import { reconcileChannel } from './reconcile-requests.ts';

/** `AELAB_RECONCILE_SECONDS`: seconds between reconciler passes; default 30. */
export function reconcileIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.AELAB_RECONCILE_SECONDS;
  if (text === undefined || text === '') return 30;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`AELAB_RECONCILE_SECONDS: expected a positive number of seconds, got ${JSON.stringify(text)}`);
  return seconds;
}

/**
 * When the reconciler runs in the API: once at start, every `intervalSeconds`, as soon as
 * the API's Redis connection is back after an outage, and whenever another process (a
 * worker that reconnected) asks on the reconcile channel. Passes never overlap; a request
 * during a pass gets one more pass right after it.
 */
export class ReconcileSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private subscriber: Redis | null = null;

  constructor(
    private readonly reconciler: QueueReconciler,
    private readonly settings: { redis: Redis; intervalSeconds: number; logger: Logger },
  ) {}

  start(): void {
    const { redis, intervalSeconds, logger } = this.settings;
    // 'ready' comes once the connection is up at start and again after every reconnect.
    if (redis.status === 'ready') this.trigger();
    redis.on('ready', () => this.trigger());
    this.timer = setInterval(() => this.trigger(), intervalSeconds * 1000);
    const subscriber = redis.duplicate({ enableOfflineQueue: true });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, reason: string) => {
      logger.info('reconciler pass requested', { reason });
      this.trigger();
    });
    void subscriber.subscribe(reconcileChannel()).catch((error: unknown) => logger.warn('reconcile channel unavailable', { error: String(error) }));
    this.subscriber = subscriber;
  }

  /** Runs a pass now, or right after the one in progress. */
  trigger(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.again = false;
    await this.running;
    this.subscriber?.disconnect();
  }

  private async pass(): Promise<void> {
    try {
      const recoveries = await this.reconciler.reconcile();
      if (recoveries !== null && recoveries.length > 0) this.settings.logger.info('reconciler pass recovered jobs', { recovered: recoveries.length });
    } catch (error) {
      // While Redis is away every pass fails the same way; the outage is logged elsewhere, and the pass after reconnecting catches up.
      if (!isRedisUnavailable(error)) this.settings.logger.warn('reconciler pass failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
