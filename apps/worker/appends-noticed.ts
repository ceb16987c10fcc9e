import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';

/**
 * `store`, except that each line appended to `key` is handed to `noticed` once it is written.
 * The training child tells its worker this way the moment an epoch's record is in
 * metrics.jsonl, before the checkpoints that follow it are written (see TrainSupervisor).
 */
export function noticingAppends(store: ArtifactStore, key: string, noticed: (line: string) => void): ArtifactStore {
  // Every other method and the store's state come from `store` itself, its prototype.
  const noticing = Object.create(store) as ArtifactStore;
  noticing.appendLine = async (appendedTo: string, line: string) => {
    await store.appendLine(appendedTo, line);
    if (appendedTo === key) noticed(line);
  };
  return noticing;
}
