import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from '../contracts/queue-names.ts';
import { ROUTED_KINDS, routedQueueName, type RoutedKind } from './routed-queue-name.ts';

/**
 * The train and evaluate queues, one per requirement set. A queue is registered in Redis
 * (a set of names) the first time a job goes to it, and the registration is announced
 * on a channel, so workers start consuming a new queue they qualify for without polling
 * and Bull Board lists it.
 */
export class RoutedQueues {
  private readonly open = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string = queuePrefix(),
  ) {}

  /** Redis set of every routed queue name ever used. */
  get registryKey(): string {
    return `${this.prefix}:routing:queues`;
  }

  /** Channel on which a newly used queue name is published. */
  get announcementChannel(): string {
    return `${this.prefix}:routing:queue-added`;
  }

  /** The queue of that name (opened once, on the shared connection). */
  named<Data = unknown>(name: string): Queue<Data> {
    let queue = this.open.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // The shared connection reports Redis errors already (its owner listens); without a
      // listener here the same error, re-emitted by the queue, would crash the process.
      queue.on('error', () => undefined);
      this.open.set(name, queue);
    }
    return queue as Queue<Data>;
  }

  /** The queue for jobs of this kind with these requirements; not yet registered. */
  of<Data = unknown>(kind: RoutedKind, requires: readonly string[]): Queue<Data> {
    return this.named<Data>(routedQueueName(kind, requires));
  }

  /**
   * Adds a job to the queue its requirements name and registers the queue. Both go out side by
   * side, in one round trip, the registration first on the shared connection; a queue registered
   * here for the first time is announced even when the add fails, so no registration goes unannounced.
   */
  async add<Data>(kind: RoutedKind, requires: readonly string[], name: string, data: Data, options: JobsOptions): Promise<void> {
    const queue = this.of<Data>(kind, requires);
    const registration = this.connection.sadd(this.registryKey, queue.name).then(async (added) => {
      if (added === 1) await this.connection.publish(this.announcementChannel, queue.name);
    });
    // BullMQ's Queue.add is typed on its own generics; the data is ours.
    await Promise.all([registration, (queue as Queue).add(name, data, options)]);
  }

  /** Every routed queue name in use, the plain ones first. */
  async names(): Promise<string[]> {
    const registered = await this.connection.smembers(this.registryKey);
    return [...new Set([...ROUTED_KINDS, ...registered.sort()])];
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((queue) => queue.close()));
    this.open.clear();
  }
}
