import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { priorityOfJob, priorityRank } from '../contracts/job-priority.ts';
import type { RoutedQueues } from './routed-queues.ts';

/**
 * How long a held job is delayed: for ever, in practice. It leaves the delayed set only
 * when the gate promotes it; BullMQ's own promotion keeps its priority.
 */
export const HOLD_DELAY_MS = 10 * 365 * 24 * 3600 * 1000;

/** Orders a user's held jobs: priority rank first, then submission time (ms). */
const PRIORITY_WEIGHT = 1e13;

/** Moves held jobs to admitted while the user is under the cap (-1: no cap), atomically; answers the admitted ones. */
const ADMIT_SCRIPT = `
local cap = tonumber(ARGV[1])
while cap < 0 or redis.call('SCARD', KEYS[1]) < cap do
  local next = redis.call('ZPOPMIN', KEYS[2])
  if #next == 0 then break end
  redis.call('SADD', KEYS[1], next[1])
end
return redis.call('SMEMBERS', KEYS[1])`;

/** A job's states in which it no longer counts against its user's cap. */
const ENDED_STATES: readonly string[] = ['completed', 'failed', 'unknown'];

/**
 * AELAB_MAX_RUNNING_PER_USER across the pool. With a cap set, every routed job is added
 * to BullMQ delayed "for ever" and listed as held for its submitter; the gate admits up
 * to the cap of a user's jobs by promoting them (BullMQ `promote`: the job joins its
 * queue with its priority). When a job ends, the worker asks the gate to rebalance that
 * user, which forgets finished jobs and admits the next held ones. Every step is
 * idempotent and derived from the jobs' states in Redis, so a process that dies between
 * two steps leaves nothing stuck: the next rebalance (any job end, any worker start)
 * finishes it.
 */
export class FairShareGate {
  constructor(
    private readonly redis: Redis,
    private readonly queues: RoutedQueues,
  ) {}

  private key(...parts: string[]): string {
    return `${this.queues.prefix}:fair-share:${parts.join(':')}`;
  }

  /** Written by the API at start from AELAB_MAX_RUNNING_PER_USER; null removes the cap. */
  async setCap(cap: number | null): Promise<void> {
    if (cap === null) await this.redis.del(this.key('cap'));
    else await this.redis.set(this.key('cap'), String(cap));
  }

  async cap(): Promise<number | null> {
    const value = await this.redis.get(this.key('cap'));
    return value === null ? null : Number(value);
  }

  /** Lists an added (held) job for its user (one transaction), then admits what the cap allows. */
  async hold(user: string, queueName: string, jobId: string, rank: number): Promise<void> {
    const listed = await this.redis
      .multi()
      .zadd(this.key('held', user), 'NX', rank * PRIORITY_WEIGHT + Date.now(), member(queueName, jobId))
      .sadd(this.key('users'), user)
      .exec();
    const failure = listed?.find(([error]) => error !== null);
    if (failure !== undefined) throw failure[0];
    await this.rebalance(user);
  }

  /** A held job's new priority keeps its place among jobs of the same priority. */
  async reprioritize(user: string, queueName: string, jobId: string, rank: number): Promise<void> {
    const score = await this.redis.zscore(this.key('held', user), member(queueName, jobId));
    if (score === null) return;
    const submittedAt = Number(score) % PRIORITY_WEIGHT;
    await this.redis.zadd(this.key('held', user), 'XX', rank * PRIORITY_WEIGHT + submittedAt, member(queueName, jobId));
  }

  /** Forgets the user's finished jobs, admits held ones up to the cap and promotes the admitted ones still parked. */
  async rebalance(user: string): Promise<void> {
    const admittedKey = this.key('admitted', user);
    // Reads side by side: a rebalance is on the hand-out path of every job under a cap.
    const [listed, cap] = await Promise.all([this.redis.smembers(admittedKey), this.cap()]);
    const states = await Promise.all(listed.map((entry) => this.jobState(entry)));
    const ended = listed.filter((_, position) => ENDED_STATES.includes(states[position]));
    if (ended.length > 0) await this.redis.srem(admittedKey, ...ended);
    const admitted = (await this.redis.eval(ADMIT_SCRIPT, 2, admittedKey, this.key('held', user), String(cap ?? -1))) as string[];
    await Promise.all(admitted.map((entry) => this.promoteParked(entry)));
  }

  /** An admitted job still parked by the gate joins its queue (an admitted job that waits or runs already is left alone). */
  private async promoteParked(entry: string): Promise<void> {
    const job = await this.job(entry);
    if (job !== undefined && Number(job.delay) >= HOLD_DELAY_MS && (await job.getState()) === 'delayed') {
      await job.promote().catch(() => undefined);
    }
  }

  /** After a crash: parked jobs nobody lists are held again, then every user is rebalanced. */
  async recover(queueNames: readonly string[]): Promise<void> {
    for (const name of queueNames) {
      for (const job of await this.queues.named(name).getDelayed()) {
        const user = submitterOf(job);
        if (job.id === undefined || user === null || Number(job.delay) < HOLD_DELAY_MS) continue;
        if ((await this.redis.sismember(this.key('admitted', user), member(name, job.id))) === 1) continue;
        await this.redis.zadd(this.key('held', user), 'NX', priorityRank(priorityOfJob(job)) * PRIORITY_WEIGHT + job.timestamp, member(name, job.id));
        await this.redis.sadd(this.key('users'), user);
      }
    }
    for (const user of await this.redis.smembers(this.key('users'))) await this.rebalance(user);
  }

  /** Why a job waits, when the gate holds it: e.g. `user alice has 1 running (AELAB_MAX_RUNNING_PER_USER=1)`. */
  async heldReason(user: string, queueName: string, jobId: string): Promise<string | null> {
    if ((await this.redis.zscore(this.key('held', user), member(queueName, jobId))) === null) return null;
    const admitted = await this.redis.smembers(this.key('admitted', user));
    const states = await Promise.all(admitted.map((entry) => this.jobState(entry)));
    const running = states.filter((state) => state === 'active').length;
    const starting = admitted.length - running;
    const more = starting > 0 ? ` and ${starting} about to start` : '';
    return `user ${user} has ${running} running${more} (AELAB_MAX_RUNNING_PER_USER=${(await this.cap()) ?? 'unset'})`;
  }

  /** Forgets a job that was removed before it ran (a cancelled run) and admits the next one. */
  async forget(user: string, queueName: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.key('held', user), member(queueName, jobId));
    await this.redis.srem(this.key('admitted', user), member(queueName, jobId));
    await this.rebalance(user);
  }

  private async job(entry: string): Promise<Job | undefined> {
    const { queueName, jobId } = parseMember(entry);
    return this.queues.named(queueName).getJob(jobId);
  }

  private async jobState(entry: string): Promise<string> {
    const { queueName, jobId } = parseMember(entry);
    return this.queues.named(queueName).getJobState(jobId);
  }
}

/** Who submitted a routed job (its data's `submittedBy`), or null for jobs from before submitters were recorded. */
export function submitterOf(job: Job): string | null {
  const data: unknown = job.data;
  const user = typeof data === 'object' && data !== null ? (data as { submittedBy?: unknown }).submittedBy : undefined;
  return typeof user === 'string' ? user : null;
}

function member(queueName: string, jobId: string): string {
  return `${queueName}|${jobId}`;
}

function parseMember(entry: string): { queueName: string; jobId: string } {
  const bar = entry.indexOf('|');
  return { queueName: entry.slice(0, bar), jobId: entry.slice(bar + 1) };
}
