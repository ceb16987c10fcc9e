import { createHash } from 'node:crypto';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import type { RunRecord } from '../contracts/run-record.ts';
import { PACKAGE_VERSION } from '../observability/package-version.ts';

/** The run.json of a run that is about to be queued: from the API or from a sweep. */
export function newRunRecord(id: string, config: ExperimentConfig, configYaml: string, submittedBy: string): RunRecord {
  return {
    id,
    name: config.name,
    status: 'queued',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    epoch: 0,
    totalEpochs: config.trainer.params.nrEpochs,
    model: config.model.name,
    seed: config.seed,
    submittedBy,
    requires: config.requires,
    priority: config.priority,
    latestMetrics: null,
    best: null,
    worker: null,
    versions: { aelab: PACKAGE_VERSION, node: process.version, tfjs: null },
    configHash: createHash('sha256').update(configYaml).digest('hex'),
    attempts: 0,
    resumedFrom: null,
    error: null,
    stoppedEarly: false,
  };
}
