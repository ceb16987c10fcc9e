import { folderKeys, folderLease } from './folder-keys.ts';

/** Storage keys of one run (docs/architecture.md "Storage"). */
export const runPaths = (runId: string) => {
  const root = `runs/${runId}`;
  return {
    ...folderKeys(root, {
      runRecord: 'run.json',
      config: 'config.yaml',
      metrics: 'metrics.jsonl',
      checkpoints: 'checkpoints',
      latest: 'checkpoints/latest',
      best: 'checkpoints/best',
    }),
    /** Which worker holds the run (shared/storage/storage-lease.ts). */
    lease: folderLease(`run ${runId}`, root),
    checkpointVersion: (label: string) => `${root}/checkpoints/${label}`,
  } as const;
};

export type RunPaths = ReturnType<typeof runPaths>;
