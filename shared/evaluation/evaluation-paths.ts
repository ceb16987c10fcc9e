import { runPaths } from '../storage/run-paths.ts';

/** Storage keys of one evaluation (docs/architecture.md "Storage": runs/<runId>/eval/<evalId>/). */
export function evaluationPaths(runId: string, evalId: string) {
  const root = `${runPaths(runId).root}/eval/${evalId}`;
  return {
    root,
    record: `${root}/evaluation.json`,
    results: `${root}/results.json`,
    scores: `${root}/scores.csv`,
    /** Which worker evaluates it (shared/storage/storage-lease.ts). */
    lease: { name: `evaluation ${evalId}`, key: `${root}/lease.json` },
    picture: (name: string) => `${root}/pictures/${name}`,
  } as const;
}

/** Where an evaluation id leads to its run, so `/evaluations/:id` needs no run id. */
export function evaluationIndexKey(evalId: string): string {
  return `evaluations/${evalId}.json`;
}
