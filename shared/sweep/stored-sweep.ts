import { dump, load } from 'js-yaml';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { sweepPaths } from './sweep-paths.ts';
import type { SweepSpec } from './sweep-spec.ts';

/**
 * `sweeps/<id>/sweep.yaml`: the validated spec and the base config it varies, as
 * submitted. The controller reads only this, so editing files under configs/ later never
 * changes a running sweep.
 */
export interface StoredSweep {
  spec: SweepSpec;
  baseRaw: Record<string, unknown>;
  /** Who submitted the sweep; its trials count against that person's share. Absent in sweeps stored before submitters were recorded. */
  submittedBy?: string;
}

export async function writeStoredSweep(store: ArtifactStore, sweepId: string, sweep: StoredSweep): Promise<void> {
  await store.write(sweepPaths(sweepId).spec, dump(sweep, { noRefs: true, lineWidth: 120 }));
}

export async function readStoredSweep(store: ArtifactStore, sweepId: string): Promise<StoredSweep> {
  return load(await store.readText(sweepPaths(sweepId).spec)) as StoredSweep;
}
