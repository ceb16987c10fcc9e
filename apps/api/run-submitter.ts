import { ConfigError } from '../../shared/config/config-error.ts';
import {
  loadExperimentConfigFile,
  type LoadedExperimentConfig,
  parseExperimentConfigObject,
  parseExperimentConfigText,
  resolveConfigPath,
  shownConfigPath,
} from '../../shared/config/load-experiment-config.ts';
import type { RunRecord } from '../../shared/contracts/run-record.ts';
import type { RunSubmission } from '../../shared/contracts/run-submission.ts';
import { validateExperiment } from '../../shared/experiment/validate-experiment.ts';
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
      validateExperiment(loaded, source, Object.keys(overrides));
      return loaded;
    } catch (error) {
      if (error instanceof ConfigError) throw configHttpError(error);
      throw error;
    }
  }
}
