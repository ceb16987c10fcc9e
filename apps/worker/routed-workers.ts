import { type Job, Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { labelsSatisfy } from '../../shared/contracts/worker-labels.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { parseRoutedQueueName, type RoutedKind } from '../../shared/routing/routed-queue-name.ts';
import type { RoutedQueues } from '../../shared/routing/routed-queues.ts';
import { JobSlot } from './job-slot.ts';

type Processor = (job: Job, token?: string) => Promise<unknown>;

export interface RoutedWorkersSetup {
  connection: Redis;
  queues: RoutedQueues;
  /** This worker's labels: it consumes every queue whose requirements they satisfy. */
  labels: readonly string[];
  processors: Record<RoutedKind, Processor>;
  settings: Partial<WorkerOptions>;
  logger: Logger;
  /** Attaches listeners (errors, lock loss, job ends) to each Worker as it starts. */
  onWorker: (worker: Worker, kind: RoutedKind) => void;
}

/**
 * The BullMQ Workers of one worker process: one per train or evaluate queue its labels
 * qualify for, all sharing one JobSlot. The queues in use are read from Redis at start
 * and whenever a producer announces a new one (a subscription, re-read on reconnect),
 * so a `train@gpu` queue created later is consumed at once, without polling.
 */
export class RoutedWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly slot = new JobSlot();
  private subscriber: Redis | null = null;
  private closed = false;

  constructor(private readonly setup: RoutedWorkersSetup) {}

  async start(): Promise<void> {
    const subscriber = this.setup.connection.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', () => void this.consumeQualified());
    subscriber.on('ready', () => void this.consumeQualified());
    await subscriber.subscribe(this.setup.queues.announcementChannel);
    await this.consumeQualified();
  }

  /** Names of the queues this process consumes. */
  queueNames(): string[] {
    return [...this.workers.keys()];
  }

  all(): Worker[] {
    return [...this.workers.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscriber?.quit().catch(() => undefined);
    await Promise.all(this.all().map((worker) => worker.close()));
  }

  private async consumeQualified(): Promise<void> {
    if (this.closed) return;
    const names = await this.setup.queues.names().catch(() => []);
    for (const name of names) {
      const routed = parseRoutedQueueName(name);
      if (routed === null || this.workers.has(name) || !labelsSatisfy(this.setup.labels, routed.requires)) continue;
      this.startWorker(name, routed.kind);
    }
  }

  private startWorker(name: string, kind: RoutedKind): void {
    let worker: Worker | undefined;
    const processor = this.slot.guard(() => worker!, this.setup.processors[kind]);
    worker = new Worker(name, processor, {
      connection: this.setup.connection,
      prefix: this.setup.queues.prefix,
      concurrency: 1,
      ...this.setup.settings,
    });
    this.workers.set(name, worker);
    this.slot.add(worker);
    this.setup.onWorker(worker, kind);
    this.setup.logger.info('consuming queue', { queue: name });
  }
}
