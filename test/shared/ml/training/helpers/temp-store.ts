import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArtifactStore } from '../../../../../shared/storage/local-artifact-store.ts';

/** A LocalArtifactStore on a fresh temporary directory; `cleanup` removes it. */
export async function tempStore(): Promise<{ store: LocalArtifactStore; root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'aelab-training-'));
  return { store: new LocalArtifactStore(root), root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
