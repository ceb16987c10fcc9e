/** Storage keys of one sweep (docs/architecture.md "Storage"). */
export function sweepPaths(sweepId: string) {
  const root = `sweeps/${sweepId}`;
  return {
    root,
    spec: `${root}/sweep.yaml`,
    record: `${root}/sweep.json`,
    trials: `${root}/trials.jsonl`,
    leaderboard: `${root}/leaderboard.json`,
    /** Which worker runs its controller (shared/storage/storage-lease.ts). */
    lease: { name: `sweep ${sweepId}`, key: `${root}/lease.json` },
  } as const;
}

/** Trial k of a sweep is the run `<sweepId>-t<k>`: the same id wherever it is proposed again. */
export function trialRunId(sweepId: string, index: number): string {
  return `${sweepId}-t${index}`;
}

/** The sweep a trial's run belongs to (the inverse of trialRunId), or null for a run of its own. */
export function sweepOfTrialRun(runId: string): string | null {
  return /^(s.+)-t\d+$/.exec(runId)?.[1] ?? null;
}

/** The train job that takes a trial to `epochs`: deterministic, so nothing is queued twice. */
export function trialJobId(sweepId: string, index: number, epochs: number): string {
  return `${trialRunId(sweepId, index)}-e${epochs}`;
}
