import type { Queue } from 'bullmq';
import { ConfigError } from '../../shared/config/config-error.ts';
import type { ExperimentConfig } from '../../shared/config/experiment-config.ts';
import {
  loadExperimentConfigFile,
  parseExperimentConfigObject,
  parseExperimentConfigText,
  resolveConfigPath,
  serializeConfigYaml,
} from '../../shared/config/load-experiment-config.ts';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { RunSubmission } from '../../shared/contracts/run-submission.ts';
import type { TrainJob } from '../../shared/contracts/train-job.ts';
import { ModelParamsError } from '../../shared/ml/models/model-params-error.ts';
import { checkPerceptualWeightsAvailable } from '../../shared/ml/losses/perceptual-weights.ts';
import { validateModelParams } from '../../shared/ml/model-registry.ts';
import { TRAIN_JOB_OPTIONS } from '../../shared/queue/queue-settings.ts';
import { newRunId } from '../../shared/runs/new-run-id.ts';
import { newRunRecord } from '../../shared/runs/new-run-record.ts';
import type { RunRepository } from '../../shared/runs/run-repository.ts';
import { HttpError } from './http-error.ts';

/** Turns a submission into a stored run (run.json, config.yaml) and a queued train job. */
export class RunSubmitter {
  constructor(
    private readonly deps: { configsDir: string; runs: RunRepository; trainQueue: Queue<TrainJob> },
  ) {}

  async submit(body: RunSubmission): Promise<RunRecord> {
    const { raw, config } = this.resolve(body);
    const configYaml = serializeConfigYaml(raw);
    const record = newRunRecord(newRunId(), config, configYaml);
    await this.deps.runs.create(record, configYaml);
    try {
      await this.deps.trainQueue.add(record.name, { runId: record.id, config: raw }, { ...TRAIN_JOB_OPTIONS, jobId: record.id });
    } catch (error) {
      await this.deps.runs.update(record.id, (r) => ({ ...r, status: 'failed', error: 'could not be queued: Redis was unavailable', finishedAt: new Date().toISOString() }));
      throw error;
    }
    return record;
  }

  private resolve(body: RunSubmission): { raw: Record<string, unknown>; config: ExperimentConfig } {
    const overrides = body.overrides ?? {};
    try {
      let loaded: { raw: Record<string, unknown>; config: ExperimentConfig };
      if (body.configPath !== undefined) {
        const relative = body.configPath.replace(/^\.?\/?configs\//, '');
        loaded = loadExperimentConfigFile(resolveConfigPath(this.deps.configsDir, relative), overrides);
      } else if (typeof body.config === 'string') {
        loaded = parseExperimentConfigText(body.config, 'request body "config"', overrides);
      } else {
        loaded = parseExperimentConfigObject(body.config ?? {}, 'request body "config"', overrides);
      }
      validateModelParams(loaded.config.model);
      checkPerceptualWeightsAvailable(loaded.config);
      return loaded;
    } catch (error) {
      if (error instanceof ConfigError) throw new HttpError(400, error.message, { key: error.key, line: error.line ?? null });
      if (error instanceof ModelParamsError) throw new HttpError(400, error.message, { problems: error.problems });
      throw error;
    }
  }
}
