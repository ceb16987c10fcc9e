import { randomBytes } from 'node:crypto';
import { ArtifactNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';

/** Who holds a run: written to `runs/<id>/lease.json` by every worker that takes it. */
export interface RunLeaseRecord {
  token: string;
  host: string;
  pid: number;
  takenAt: string;
}

/** Thrown before a write by a worker whose run another worker has taken over. */
export class RunLeaseLostError extends Error {
  constructor(readonly runId: string, readonly holder: RunLeaseRecord | null) {
    super(
      `run ${runId} was taken over by ${holder === null ? 'another worker' : `${holder.host} pid ${holder.pid} at ${holder.takenAt}`}; ` +
        'this worker stops without writing (its queue lock had expired)',
    );
    this.name = 'RunLeaseLostError';
  }
}

/**
 * The fence between two workers that both believe they hold a run. BullMQ's lock lives in
 * Redis: when Redis is away longer than the lock, the run is handed to another worker
 * while the first still trains. The lease lives in storage, next to what it guards: the
 * newest taker writes its token, and a worker checks that the token is still its own
 * before every metrics record and checkpoint it writes.
 */
export class RunLease {
  private constructor(
    private readonly store: ArtifactStore,
    readonly runId: string,
    readonly token: string,
  ) {}

  /** Takes the run for this process, fencing out every earlier holder. */
  static async take(store: ArtifactStore, runId: string, holder: { host: string; pid: number }): Promise<RunLease> {
    const token = randomBytes(12).toString('hex');
    const record: RunLeaseRecord = { token, host: holder.host, pid: holder.pid, takenAt: new Date().toISOString() };
    await store.write(runPaths(runId).lease, JSON.stringify(record));
    return new RunLease(store, runId, token);
  }

  /** The lease a holder took earlier (e.g. in the training child), by its token. */
  static held(store: ArtifactStore, runId: string, token: string): RunLease {
    return new RunLease(store, runId, token);
  }

  async holder(): Promise<RunLeaseRecord | null> {
    try {
      return JSON.parse(await this.store.readText(runPaths(this.runId).lease)) as RunLeaseRecord;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  /** Throws `RunLeaseLostError` unless this lease is still the newest. */
  async assertHeld(): Promise<void> {
    const holder = await this.holder();
    if (holder?.token !== this.token) throw new RunLeaseLostError(this.runId, holder);
  }
}
