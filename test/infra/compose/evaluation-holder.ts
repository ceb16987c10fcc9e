import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluationPaths } from '../../../shared/evaluation/evaluation-paths.ts';
import type { LeaseRecord } from '../../../shared/storage/storage-lease.ts';

/** The evaluation a worker queues after training a run with downstream tasks. */
export function automaticEvaluationId(runId: string): string {
  return `${runId}-auto`;
}

/** The worker (host and pid) that last took an evaluation: its lease file in the storage folder. */
export async function evaluationHolder(storageDir: string, runId: string, evalId: string): Promise<LeaseRecord> {
  return JSON.parse(await readFile(join(storageDir, evaluationPaths(runId, evalId).lease.key), 'utf8')) as LeaseRecord;
}
