import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { aaeTrainerOptions, createAaeTrainer } from './aae-trainer.ts';
import { createMorphTrainer, morphTrainerOptions } from './morph-trainer.ts';
import { createReconstructionTrainer } from './reconstruction-trainer.ts';
import { createSivaeTrainer, sivaeTrainerOptions } from './sivae-trainer.ts';
import { batchesPerEpoch, createSyntheticTrainer } from './synthetic-trainer.ts';
import type { TrainerFactory, TrainerStrategy } from './trainer-strategy.ts';

interface TrainerDefinition {
  create: TrainerFactory;
  /** The models it can train; absent: any model, since it needs only the reconstruction. */
  models?: readonly string[];
  /** Checks the trainer's own params against the config, throwing a ConfigError naming the key. */
  checkParams(config: ExperimentConfig): void;
}

/** Trainers by registry name; `morph`, `aae` and `sivae` join as one file each. */
const TRAINERS: Readonly<Record<string, TrainerDefinition>> = {
  aae: { create: createAaeTrainer, models: ['aae'], checkParams: (config) => void aaeTrainerOptions(config) },
  morph: { create: createMorphTrainer, models: ['morphaeus'], checkParams: (config) => void morphTrainerOptions(config) },
  reconstruction: { create: createReconstructionTrainer, checkParams: () => undefined },
  sivae: { create: createSivaeTrainer, models: ['soft_intro_vae'], checkParams: (config) => void sivaeTrainerOptions(config) },
  synthetic: {
    create: createSyntheticTrainer,
    models: ['synthetic_objective'],
    checkParams: (config) => void batchesPerEpoch(config.trainer.dataLoader),
  },
};

export const TRAINER_NAMES: readonly string[] = Object.keys(TRAINERS);

function lookupTrainer(config: ExperimentConfig): TrainerDefinition {
  const name = config.trainer.name;
  if (!Object.hasOwn(TRAINERS, name)) {
    throw new ConfigError('experiment config', {
      key: 'trainer',
      message: `no trainer "${name}" in this version; available: ${TRAINER_NAMES.join(', ')}`,
    });
  }
  return TRAINERS[name];
}

/**
 * Checks, before anything is built, that the trainer exists, trains the configured model,
 * and accepts its own params; throws a ConfigError naming the key.
 */
export function checkTrainerConfig(config: ExperimentConfig): void {
  const trainer = lookupTrainer(config);
  const { models } = trainer;
  if (models !== undefined && !models.includes(config.model.name)) {
    throw new ConfigError('experiment config', {
      key: 'trainer.name',
      message: `trainer "${config.trainer.name}" trains ${models.join(' or ')}, not model "${config.model.name}"`,
    });
  }
  trainer.checkParams(config);
}

/** The trainer `config.trainer.name` names, bound to the model. */
export function buildTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  return lookupTrainer(config).create(model, config);
}
