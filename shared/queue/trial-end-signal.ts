import type { Redis } from 'ioredis';
import { queuePrefix } from '../contracts/queue-names.ts';

/**
 * Tells sweep controllers that one of their trial jobs ended, the moment it ends: the worker
 * that ran the trial publishes the sweep job's id on a Redis channel, and every worker's
 * subscriber wakes the controller of that sweep, wherever it runs. A message can be missed
 * (a Redis blip, a worker killed right after its trial), so a controller also looks again
 * after `recheckMs` without one: the signal makes it fast, storage keeps it right.
 */
export class TrialEndSignal {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly subscriber: Redis) {}

  static channel(): string {
    return `${queuePrefix()}:sweep:trial-ended`;
  }

  /** Announces that a child job of the sweep job `sweepJobId` ended (completed or failed). */
  static async publish(publisher: Redis, sweepJobId: string): Promise<void> {
    await publisher.publish(TrialEndSignal.channel(), sweepJobId);
  }

  /** Subscribes on the dedicated connection (which serves nothing else from then on). */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, sweepJobId: string) => {
      if (channel === TrialEndSignal.channel()) this.signalled(sweepJobId);
    });
    await this.subscriber.subscribe(TrialEndSignal.channel());
  }

  /** How many trial ends of this sweep this process has heard of: take it before a controller pass. */
  heard(sweepJobId: string): number {
    return this.counts.get(sweepJobId) ?? 0;
  }

  /** Resolves once a trial end after `heard` arrives, or after `recheckMs` in any case. */
  next(sweepJobId: string, heard: number, recheckMs: number): Promise<void> {
    if (this.heard(sweepJobId) > heard) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.waiters.get(sweepJobId) ?? new Set<() => void>();
      this.waiters.set(sweepJobId, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(sweepJobId);
        resolve();
      };
      const timer = setTimeout(wake, recheckMs);
      waiters.add(wake);
    });
  }

  /** Wakes every waiting controller (the worker is shutting down). */
  wakeAll(): void {
    for (const waiters of [...this.waiters.values()]) for (const wake of [...waiters]) wake();
  }

  /** Wakes every waiter and closes the subscriber connection. */
  close(): void {
    this.wakeAll();
    this.subscriber.disconnect();
  }

  private signalled(sweepJobId: string): void {
    this.counts.set(sweepJobId, this.heard(sweepJobId) + 1);
    for (const wake of [...(this.waiters.get(sweepJobId) ?? [])]) wake();
  }
}
