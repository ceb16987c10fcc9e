import type { ExperimentConfig } from '../config/experiment-config.ts';
import { serializeConfigYaml } from '../config/load-experiment-config.ts';
import type { RunRecord } from '../contracts/run-record.ts';
import type { RoutingDeps } from '../routing/enqueue-routed-job.ts';
import { enqueueTrainJob } from '../routing/enqueue-train-job.ts';
import { newRunRecord } from './new-run-record.ts';
import type { RunRepository } from './run-repository.ts';

/**
 * Stores a new run (run.json, config.yaml) and queues its train job, whose id is the run
 * id, routed by the config's `requires` and `priority`. When Redis refuses the job the run
 * is marked failed, so no run stays queued forever.
 */
export async function queueNewRun(
  deps: { runs: RunRepository; routing: RoutingDeps },
  runId: string,
  loaded: { raw: Record<string, unknown>; config: ExperimentConfig },
  submittedBy: string,
): Promise<RunRecord> {
  const configYaml = serializeConfigYaml(loaded.raw);
  const record = newRunRecord(runId, loaded.config, configYaml, submittedBy);
  await deps.runs.create(record, configYaml);
  try {
    const routing = { requires: loaded.config.requires, priority: loaded.config.priority, submittedBy };
    await enqueueTrainJob(deps.routing, { runId: record.id, name: record.name, config: loaded.raw, routing });
  } catch (error) {
    await deps.runs.markFailed(record.id, 'could not be queued: Redis was unavailable');
    throw error;
  }
  return record;
}
