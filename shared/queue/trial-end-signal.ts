import type { Redis } from 'ioredis';
import { queuePrefix } from '../contracts/queue-names.ts';

/**
 * What a worker announces about one trial job of a sweep: `ended`, its training is over or
 * its run final (the controller's cue for a pass), or `acknowledged`, its job has left
 * BullMQ's active list (the cue a finished sweep waits for before it completes).
 */
export type TrialStage = 'ended' | 'acknowledged';

/**
 * Tells sweep controllers about their trial jobs the moment something happens to them: the
 * worker that ran the trial publishes the stage and the sweep job's id on a Redis channel,
 * and every worker's subscriber wakes the waiters of that sweep, wherever they run. A message
 * can be missed (a Redis blip, a worker killed right after its trial), so a waiter also looks
 * again after `recheckMs` without one: the signal makes it fast, storage and the queue keep it right.
 */
export class TrialEndSignal {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly subscriber: Redis) {}

  static channel(): string {
    return `${queuePrefix()}:sweep:trial-ended`;
  }

  /** Announces that a child job of the sweep job `sweepJobId` reached `stage`. */
  static async publish(publisher: Redis, sweepJobId: string, stage: TrialStage = 'ended'): Promise<void> {
    await publisher.publish(TrialEndSignal.channel(), keyOf(sweepJobId, stage));
  }

  /** Subscribes on the dedicated connection (which serves nothing else from then on). */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, key: string) => {
      if (channel === TrialEndSignal.channel()) this.signalled(key);
    });
    await this.subscriber.subscribe(TrialEndSignal.channel());
  }

  /** How many announcements of `stage` for this sweep this process has heard: take it before looking at storage or the queue. */
  heard(sweepJobId: string, stage: TrialStage = 'ended'): number {
    return this.counts.get(keyOf(sweepJobId, stage)) ?? 0;
  }

  /** Resolves once an announcement of `stage` after `heard` arrives, or after `recheckMs` in any case. */
  next(sweepJobId: string, heard: number, recheckMs: number, stage: TrialStage = 'ended'): Promise<void> {
    if (this.heard(sweepJobId, stage) > heard) return Promise.resolve();
    const key = keyOf(sweepJobId, stage);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, recheckMs);
      waiters.add(wake);
    });
  }

  /** Wakes every waiter (the worker is shutting down). */
  wakeAll(): void {
    for (const waiters of [...this.waiters.values()]) for (const wake of [...waiters]) wake();
  }

  /** Wakes every waiter and closes the subscriber connection. */
  close(): void {
    this.wakeAll();
    this.subscriber.disconnect();
  }

  private signalled(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }
}

/** The message and the count key of one stage of one sweep's trials. */
function keyOf(sweepJobId: string, stage: TrialStage): string {
  return `${stage} ${sweepJobId}`;
}
