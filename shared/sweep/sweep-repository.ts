import { ArtifactNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { sweepPaths } from './sweep-paths.ts';
import type { SweepRecord } from './sweep-record.ts';

/** Sweeps as stored: `sweeps/<id>/sweep.json`. */
export class SweepRepository {
  constructor(private readonly store: ArtifactStore) {}

  async save(record: SweepRecord): Promise<void> {
    await this.store.write(sweepPaths(record.id).record, JSON.stringify(record, null, 2));
  }

  async get(sweepId: string): Promise<SweepRecord | null> {
    try {
      return JSON.parse(await this.store.readText(sweepPaths(sweepId).record)) as SweepRecord;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  async update(sweepId: string, change: (record: SweepRecord) => SweepRecord): Promise<SweepRecord> {
    const current = await this.get(sweepId);
    if (current === null) throw new Error(`sweep ${sweepId} has no sweep.json in storage`);
    const next = change(current);
    await this.save(next);
    return next;
  }

  async list(): Promise<SweepRecord[]> {
    const ids = await this.store.list('sweeps');
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is SweepRecord => r !== null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}
