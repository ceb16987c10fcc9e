import type { Queue } from 'bullmq';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import { serializeConfigYaml } from '../config/load-experiment-config.ts';
import type { RunRecord } from '../contracts/run-record.ts';
import type { TrainJob } from '../contracts/train-job.ts';
import { TRAIN_JOB_OPTIONS } from '../queue/queue-settings.ts';
import { newRunRecord } from './new-run-record.ts';
import type { RunRepository } from './run-repository.ts';

/**
 * Stores a new run (run.json, config.yaml) and queues its train job, whose id is the run
 * id. When Redis refuses the job the run is marked failed, so no run stays queued forever.
 */
export async function queueNewRun(
  deps: { runs: RunRepository; trainQueue: Queue<TrainJob> },
  runId: string,
  loaded: { raw: Record<string, unknown>; config: ExperimentConfig },
): Promise<RunRecord> {
  const configYaml = serializeConfigYaml(loaded.raw);
  const record = newRunRecord(runId, loaded.config, configYaml);
  await deps.runs.create(record, configYaml);
  try {
    await deps.trainQueue.add(record.name, { runId: record.id, config: loaded.raw }, { ...TRAIN_JOB_OPTIONS, jobId: record.id });
  } catch (error) {
    await deps.runs.update(record.id, (r) => ({ ...r, status: 'failed', error: 'could not be queued: Redis was unavailable', finishedAt: new Date().toISOString() }));
    throw error;
  }
  return record;
}
