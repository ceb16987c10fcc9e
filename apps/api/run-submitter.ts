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
} from '../../shared/config/load-experiment-config.ts';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { RunSubmission } from '../../shared/contracts/run-submission.ts';
import { ModelParamsError } from '../../shared/ml/models/model-params-error.ts';
import { checkPerceptualWeightsAvailable } from '../../shared/ml/losses/perceptual-weights.ts';
import { validateModelParams } from '../../shared/ml/model-registry.ts';
import type { RoutingDeps } from '../../shared/routing/enqueue-routed-job.ts';
import { newRunId } from '../../shared/runs/new-run-id.ts';
import { queueNewRun } from '../../shared/runs/queue-new-run.ts';
import type { RunRepository } from '../../shared/runs/run-repository.ts';
import { configHttpError } from './http-error.ts';

/** Turns a submission into a stored run (run.json, config.yaml) and a queued train job. */
export class RunSubmitter {
  constructor(
    private readonly deps: { configsDir: string; runs: RunRepository; routing: RoutingDeps },
  ) {}

  /** `submittedBy`: the API token's name, `anonymous` when the API runs open. */
  async submit(body: RunSubmission, submittedBy: string): Promise<RunRecord> {
    return queueNewRun(this.deps, newRunId(), this.resolve(body), submittedBy);
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
