import { folderKeys, folderLease } from '../storage/folder-keys.ts';
import { runPaths } from '../storage/run-paths.ts';

/** Storage keys of one evaluation (docs/architecture.md "Storage": runs/<runId>/eval/<evalId>/). */
export function evaluationPaths(runId: string, evalId: string) {
  const root = `${runPaths(runId).root}/eval/${evalId}`;
  return {
    ...folderKeys(root, { record: 'evaluation.json', results: 'results.json', scores: 'scores.csv' }),
    /** Which worker evaluates it (shared/storage/storage-lease.ts). */
    lease: folderLease(`evaluation ${evalId}`, root),
    picture: (name: string) => `${root}/pictures/${name}`,
  } as const;
}

/** Where an evaluation id leads to its run, so `/evaluations/:id` needs no run id. */
export function evaluationIndexKey(evalId: string): string {
  return `evaluations/${evalId}.json`;
}
