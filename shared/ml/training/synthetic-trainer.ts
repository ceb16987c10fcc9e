import { ConfigError } from '../../config/config-error.ts';
import type { DataLoaderConfig, ExperimentConfig } from '../../config/experiment-config.ts';
import { PHANTOM_LOADER_DEFAULTS } from '../../data/open-dataset.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { parseModelParams } from '../models/model-params-error.ts';
import { syntheticObjective, syntheticObjectiveParamsSchema } from '../models/synthetic-objective.ts';
import { Adam } from '../optim/adam.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';

/**
 * The trainer of the `synthetic_objective` test model: every step and every validation
 * batch reports `syntheticObjective` of the run's hyperparameters (model params and
 * `trainer.params.optimizer_params.lr`) at the current epoch, as `train.loss` and
 * `val.objective`. It updates nothing; each training batch blocks for its share of
 * `seconds_per_epoch`, so a trial costs a known wall-clock time. Runs on `phantoms` data,
 * whose split sizes (and so the batches per epoch) the config states.
 */
export function createSyntheticTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  if (config.model.name !== 'synthetic_objective') {
    throw new ConfigError('experiment config', {
      key: 'trainer.name',
      message: `the synthetic trainer trains only the synthetic_objective model, not "${config.model.name}"`,
    });
  }
  const params = parseModelParams('synthetic_objective', syntheticObjectiveParamsSchema, config.model.params);
  const point = { lr: config.trainer.params.lr, x: params.x, y: params.y, category: params.category, divergeAtEpoch: params.diverge_at_epoch };
  const waitPerBatchMs = (params.seconds_per_epoch * 1000) / batchesPerEpoch(config.trainer.dataLoader);
  // Holds the learning rate the loop's schedule sets and records; it never steps.
  const optimizer = new Adam(model.parameters, { lr: config.trainer.params.lr });
  let currentEpoch = 0;

  return {
    name: 'synthetic',
    selectionMetric: 'objective',
    optimizers: new Map([['model', optimizer]]),

    beginEpoch(epoch): void {
      currentEpoch = epoch;
    },

    async trainStep(_batch, { epoch }): Promise<StepLosses> {
      blockFor(waitPerBatchMs);
      return { loss: syntheticObjective(point, epoch) };
    },

    async validateBatch(): Promise<Record<string, number>> {
      return { objective: syntheticObjective(point, currentEpoch) };
    },

    state: () => null,
    restore: () => undefined,
    dispose: () => optimizer.dispose(),
  };
}

export function batchesPerEpoch(loader: DataLoaderConfig): number {
  if (loader.name !== 'phantoms') {
    throw new ConfigError('experiment config', {
      key: 'trainer.data_loader.name',
      message: `the synthetic trainer needs the phantoms dataset (its size is in the config), not "${loader.name}"`,
    });
  }
  const written = loader.args.count ?? loader.args.train_count ?? PHANTOM_LOADER_DEFAULTS.train_count;
  const images = typeof written === 'number' ? written : PHANTOM_LOADER_DEFAULTS.train_count;
  return Math.max(1, Math.floor(images / loader.batchSize));
}

// The training child process does nothing else meanwhile, so a synchronous wait is the
// simplest exact one; it leaves the CPU idle, as a GPU-bound epoch would.
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function blockFor(milliseconds: number): void {
  if (milliseconds > 0) Atomics.wait(sleeper, 0, 0, milliseconds);
}
