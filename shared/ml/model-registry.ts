import type { z } from 'zod';
import type { ComponentRef } from '../config/experiment-config.ts';
import type { AutoencoderModel } from './autoencoder-model.ts';
import { aaeParamsSchema, buildAae } from './models/aae.ts';
import { buildConvAutoencoder, convAutoencoderParamsSchema } from './models/conv-autoencoder.ts';
import { buildDaeUnet, daeUnetParamsSchema } from './models/dae-unet.ts';
import { buildDenseConvAutoencoder, denseConvAutoencoderParamsSchema } from './models/dense-conv-autoencoder.ts';
import { betaVaeParamsSchema, buildBetaVae } from './models/beta-vae.ts';
import { parseModelParams } from './models/model-params-error.ts';
import { buildMorphaeus, morphaeusParamsSchema } from './models/morphaeus.ts';
import { buildVae, vaeParamsSchema } from './models/vae.ts';
import { buildSoftIntroVae, softIntroVaeParamsSchema } from './models/soft-intro-vae.ts';
import { buildSyntheticObjective, syntheticObjectiveParamsSchema } from './models/synthetic-objective.ts';
import type { SeededRandom } from '../random/seeded-random.ts';

export interface BuildModelOptions {
  /** `reference` reproduces the official code's quirks; `corrected` switches them off. */
  mode: 'reference' | 'corrected';
  /** Draws the initial weights (fork it from the run's generator). */
  random: SeededRandom;
  /** Input [height, width], the data loader's target size. */
  inputSize: [number, number];
}

interface ModelDefinition {
  /** Validates `model.params`, throwing a ModelParamsError that names each bad key. */
  validate(params: Record<string, unknown>): void;
  build(params: Record<string, unknown>, options: BuildModelOptions): AutoencoderModel;
}

function defineModel<S extends z.ZodType>(
  name: string,
  paramsSchema: S,
  build: (params: z.input<S>, options: BuildModelOptions) => AutoencoderModel,
): ModelDefinition {
  return {
    validate: (params) => void parseModelParams(name, paramsSchema, params),
    build: (params, options) => build(parseModelParams(name, paramsSchema, params) as z.input<S>, options),
  };
}

/** Registry name (as in `ComponentRef.name`) → model. */
const MODELS: Readonly<Record<string, ModelDefinition>> = {
  aae: defineModel('aae', aaeParamsSchema, buildAae),
  conv_autoencoder: defineModel('conv_autoencoder', convAutoencoderParamsSchema, buildConvAutoencoder),
  dense_conv_autoencoder: defineModel('dense_conv_autoencoder', denseConvAutoencoderParamsSchema, buildDenseConvAutoencoder),
  vae: defineModel('vae', vaeParamsSchema, buildVae),
  beta_vae: defineModel('beta_vae', betaVaeParamsSchema, buildBetaVae),
  dae_unet: defineModel('dae_unet', daeUnetParamsSchema, buildDaeUnet),
  soft_intro_vae: defineModel('soft_intro_vae', softIntroVaeParamsSchema, buildSoftIntroVae),
  morphaeus: defineModel('morphaeus', morphaeusParamsSchema, buildMorphaeus),
  synthetic_objective: defineModel('synthetic_objective', syntheticObjectiveParamsSchema, (_params, options) => buildSyntheticObjective(options.random)),
};

/** The registry names of every model that can be built. */
export function knownModelNames(): string[] {
  return Object.keys(MODELS);
}

function lookup(ref: ComponentRef): ModelDefinition {
  const model = Object.hasOwn(MODELS, ref.name) ? MODELS[ref.name] : undefined;
  if (!model) {
    throw new Error(`model.name: unknown model "${ref.name}"; known models: ${knownModelNames().join(', ')}`);
  }
  return model;
}

/** Builds the model a config names, with freshly initialised weights. */
export function buildModel(ref: ComponentRef, options: BuildModelOptions): AutoencoderModel {
  return lookup(ref).build(ref.params, options);
}

/** Throws an Error naming `model.name` or each bad `model.params.<key>`; builds nothing. */
export function validateModelParams(ref: ComponentRef): void {
  lookup(ref).validate(ref.params);
}
