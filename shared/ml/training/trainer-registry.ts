import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { createAaeTrainer } from './aae-trainer.ts';
import { createMorphTrainer } from './morph-trainer.ts';
import { createReconstructionTrainer } from './reconstruction-trainer.ts';
import { createSivaeTrainer } from './sivae-trainer.ts';
import { createSyntheticTrainer } from './synthetic-trainer.ts';
import type { TrainerFactory, TrainerStrategy } from './trainer-strategy.ts';

/** Trainers by registry name; `morph`, `aae` and `sivae` join as one file each. */
const TRAINERS: Readonly<Record<string, TrainerFactory>> = {
  aae: createAaeTrainer,
  morph: createMorphTrainer,
  reconstruction: createReconstructionTrainer,
  sivae: createSivaeTrainer,
  synthetic: createSyntheticTrainer,
};

export const TRAINER_NAMES: readonly string[] = Object.keys(TRAINERS);

/** The trainer `config.trainer.name` names, bound to the model. */
export function buildTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  const name = config.trainer.name;
  if (!Object.hasOwn(TRAINERS, name)) {
    throw new ConfigError('experiment config', {
      key: 'trainer',
      message: `no trainer "${name}" in this version; available: ${TRAINER_NAMES.join(', ')}`,
    });
  }
  return TRAINERS[name](model, config);
}
