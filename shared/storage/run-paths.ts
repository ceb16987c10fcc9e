/** Storage keys of one run (docs/architecture.md "Storage"). */
export const runPaths = (runId: string) => {
  const root = `runs/${runId}`;
  return {
    root,
    runRecord: `${root}/run.json`,
    config: `${root}/config.yaml`,
    metrics: `${root}/metrics.jsonl`,
    /** Which worker holds the run (shared/storage/storage-lease.ts). */
    lease: { name: `run ${runId}`, key: `${root}/lease.json` },
    checkpoints: `${root}/checkpoints`,
    latest: `${root}/checkpoints/latest`,
    best: `${root}/checkpoints/best`,
    checkpointVersion: (label: string) => `${root}/checkpoints/${label}`,
  } as const;
};

export type RunPaths = ReturnType<typeof runPaths>;
