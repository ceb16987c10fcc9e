import type { Queue } from 'bullmq';
import { ConfigError } from '../../shared/config/config-error.ts';
import { findKeyPosition } from '../../shared/config/key-line-map.ts';
import {
  blameOverrides,
  loadExperimentConfigFile,
  type LoadedExperimentConfig,
  parseExperimentConfigObject,
  parseExperimentConfigText,
  resolveConfigPath,
  shownConfigPath,
  serializeConfigYaml,
} from '../../shared/config/load-experiment-config.ts';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { RunSubmission } from '../../shared/contracts/run-submission.ts';
import type { TrainJob } from '../../shared/contracts/train-job.ts';
import { ModelParamsError } from '../../shared/ml/models/model-params-error.ts';
import { checkPerceptualWeightsAvailable } from '../../shared/ml/losses/perceptual-weights.ts';
import { validateModelParams } from '../../shared/ml/model-registry.ts';
import { enqueueTrainJob } from '../../shared/queue/enqueue-jobs.ts';
import { newRunId } from '../../shared/runs/new-run-id.ts';
import { newRunRecord } from '../../shared/runs/new-run-record.ts';
import type { RunRepository } from '../../shared/runs/run-repository.ts';
import { configHttpError } from './http-error.ts';

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
      await enqueueTrainJob(this.deps.trainQueue, record.name, { runId: record.id, config: raw }, { jobId: record.id });
    } catch (error) {
      await this.deps.runs.update(record.id, (r) => ({ ...r, status: 'failed', error: 'could not be queued: Redis was unavailable', finishedAt: new Date().toISOString() }));
      throw error;
    }
    return record;
  }

  private resolve(body: RunSubmission): LoadedExperimentConfig {
    const overrides = body.overrides ?? {};
    let source = 'request body "config"';
    try {
      let loaded: LoadedExperimentConfig;
      if (body.configPath !== undefined) {
        const file = resolveConfigPath(this.deps.configsDir, body.configPath);
        source = shownConfigPath(this.deps.configsDir, file);
        loaded = loadExperimentConfigFile(file, overrides, source);
      } else if (typeof body.config === 'string') {
        loaded = parseExperimentConfigText(body.config, source, overrides);
      } else {
        loaded = parseExperimentConfigObject(body.config ?? {}, source, overrides);
      }
      validateModelParamsAt(loaded, source, overrides);
      checkPerceptualWeightsAvailable(loaded.config);
      return loaded;
    } catch (error) {
      if (error instanceof ConfigError) throw configHttpError(error);
      throw error;
    }
  }
}

/** The model's own parameter checks, reported like every config problem: source, line, key. */
function validateModelParamsAt(loaded: LoadedExperimentConfig, source: string, overrides: Record<string, unknown>): void {
  try {
    validateModelParams(loaded.config.model);
  } catch (error) {
    if (!(error instanceof ModelParamsError)) throw error;
    const problems = error.problems.map((problem) => ({ ...problem, ...findKeyPosition(loaded.lines, problem.key) }));
    throw blameOverrides(new ConfigError(source, problems), Object.keys(overrides));
  }
}
