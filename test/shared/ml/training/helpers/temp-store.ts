import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArtifactStore } from '../../../../../shared/storage/local-artifact-store.ts';

/** A LocalArtifactStore on a fresh temporary directory; `cleanup` removes it. */
export async function tempStore(): Promise<{ store: LocalArtifactStore; root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'aelab-training-'));
  return { store: new LocalArtifactStore(root), root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Gives every test of the file a fresh temporary store through `onFresh`, removed after the test. */
export function useTempStore(onFresh: (fresh: { store: LocalArtifactStore; root: string }) => void): void {
  let cleanup: () => Promise<void> = async () => undefined;
  beforeEach(async () => {
    const made = await tempStore();
    cleanup = made.cleanup;
    onFresh(made);
  });
  afterEach(() => cleanup());
}
