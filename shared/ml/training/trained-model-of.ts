import { ConfigError } from '../../config/config-error.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';

/**
 * The model as the class a trainer is written for; any other model is a config error on
 * `trainer` naming what the trainer trains (`expected`) and what the config built.
 */
export function trainedModelOf<M extends AutoencoderModel>(model: AutoencoderModel, modelClass: abstract new (...args: never[]) => M, trainer: string, expected: string): M {
  if (!(model instanceof modelClass)) {
    throw new ConfigError('experiment config', { key: 'trainer', message: `the ${trainer} trainer trains the ${expected}, not "${model.name}"` });
  }
  return model;
}
