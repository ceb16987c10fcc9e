import { randomBytes } from 'node:crypto';
import { ArtifactNotFoundError, type ArtifactStore } from './artifact-store.ts';

/** Who holds a job's work: written to the subject's `lease.json` by every process that takes it. */
export interface LeaseRecord {
  token: string;
  host: string;
  pid: number;
  takenAt: string;
}

/** What a lease guards: `run <id>`, `evaluation <id>`, `sweep <id>`, and the storage key of its lease file. */
export interface LeaseSubject {
  name: string;
  key: string;
}

/** Thrown before a write by a process whose work another process has taken over. */
export class LeaseLostError extends Error {
  constructor(readonly subject: string, readonly holder: LeaseRecord | null) {
    super(
      `${subject} was taken over by ${holder === null ? 'another worker' : `${holder.host} pid ${holder.pid} at ${holder.takenAt}`}; ` +
        'this worker stops without writing (its queue lock had expired)',
    );
    this.name = 'LeaseLostError';
  }
}

/**
 * The fence between two processes that both believe they hold the same job. BullMQ's lock
 * lives in Redis: when Redis is away longer than the lock, or loses the job, the work is
 * handed to another worker while the first still runs it. The lease lives in storage,
 * next to what it guards: the newest taker writes its token, and a holder checks that the
 * token is still its own before every write it makes.
 */
export class StorageLease {
  private constructor(
    private readonly store: ArtifactStore,
    readonly subject: LeaseSubject,
    readonly token: string,
  ) {}

  /** Takes the subject for this process, fencing out every earlier holder. */
  static async take(store: ArtifactStore, subject: LeaseSubject, holder: { host: string; pid: number }): Promise<StorageLease> {
    const token = randomBytes(12).toString('hex');
    const record: LeaseRecord = { token, host: holder.host, pid: holder.pid, takenAt: new Date().toISOString() };
    await store.write(subject.key, JSON.stringify(record));
    return new StorageLease(store, subject, token);
  }

  /** The lease a holder took earlier (e.g. in a child process), by its token. */
  static held(store: ArtifactStore, subject: LeaseSubject, token: string): StorageLease {
    return new StorageLease(store, subject, token);
  }

  async holder(): Promise<LeaseRecord | null> {
    try {
      return JSON.parse(await this.store.readText(this.subject.key)) as LeaseRecord;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  /** Throws `LeaseLostError` unless this lease is still the newest. */
  async assertHeld(): Promise<void> {
    const holder = await this.holder();
    if (holder?.token !== this.token) throw new LeaseLostError(this.subject.name, holder);
  }

  /** True while this lease is the newest. */
  async isHeld(): Promise<boolean> {
    return (await this.holder())?.token === this.token;
  }
}
