import type { z } from 'zod';
import type { ComponentRef } from '../config/experiment-config.ts';
import type { AutoencoderModel } from './autoencoder-model.ts';
import { aaeParamsSchema, buildAae, checkAaeInputSize } from './models/aae.ts';
import { buildConvAutoencoder, checkOutputSize, convAutoencoderParamsSchema, convEncoderDecoderOptions } from './models/conv-autoencoder.ts';
import { buildDaeUnet, checkDaeUnetInputSize, daeUnetParamsSchema } from './models/dae-unet.ts';
import { buildDenseConvAutoencoder, denseConvAutoencoderParamsSchema } from './models/dense-conv-autoencoder.ts';
import { betaVaeParamsSchema, buildBetaVae, checkBetaVaeInputSize } from './models/beta-vae.ts';
import type { BuildModelOptions, ModelShapeOptions } from './models/build-model-options.ts';
import { parseModelParams } from './models/model-params-error.ts';
import { buildMorphaeus, morphaeusParamsSchema, planMorphaeus } from './models/morphaeus.ts';
import { buildVae, checkVaeInputSize, vaeParamsSchema } from './models/vae.ts';
import { buildSoftIntroVae, checkSoftIntroVaeInputSize, softIntroVaeParamsSchema } from './models/soft-intro-vae.ts';
import { buildSyntheticObjective, syntheticObjectiveParamsSchema } from './models/synthetic-objective.ts';

interface ModelDefinition {
  /** Validates `model.params`, throwing a ModelParamsError that names each bad key. */
  validate(params: Record<string, unknown>): void;
  /** Validates the params and their shapes at the input size; makes no weight. */
  plan(params: Record<string, unknown>, options: ModelShapeOptions): void;
  build(params: Record<string, unknown>, options: BuildModelOptions): AutoencoderModel;
}

function defineModel<S extends z.ZodType>(
  name: string,
  paramsSchema: S,
  build: (params: z.input<S>, options: BuildModelOptions) => AutoencoderModel,
  planShapes: (params: z.output<S>, options: ModelShapeOptions) => void,
): ModelDefinition {
  return {
    validate: (params) => void parseModelParams(name, paramsSchema, params),
    plan: (params, options) => planShapes(parseModelParams(name, paramsSchema, params), options),
    build: (params, options) => build(parseModelParams(name, paramsSchema, params) as z.input<S>, options),
  };
}

const convStackPlan =
  (name: string) =>
  (params: z.output<typeof convAutoencoderParamsSchema>, options: ModelShapeOptions): void =>
    checkOutputSize(name, convEncoderDecoderOptions(params, options.mode), options.inputSize);

/** Registry name (as in `ComponentRef.name`) → model. */
const MODELS: Readonly<Record<string, ModelDefinition>> = {
  aae: defineModel('aae', aaeParamsSchema, buildAae, (p, o) => checkAaeInputSize(p, o.inputSize)),
  conv_autoencoder: defineModel('conv_autoencoder', convAutoencoderParamsSchema, buildConvAutoencoder, convStackPlan('conv_autoencoder')),
  dense_conv_autoencoder: defineModel(
    'dense_conv_autoencoder',
    denseConvAutoencoderParamsSchema,
    buildDenseConvAutoencoder,
    convStackPlan('dense_conv_autoencoder'),
  ),
  vae: defineModel('vae', vaeParamsSchema, buildVae, (p, o) => checkVaeInputSize(p, o.inputSize)),
  beta_vae: defineModel('beta_vae', betaVaeParamsSchema, buildBetaVae, (p, o) => checkBetaVaeInputSize(p, o.inputSize)),
  dae_unet: defineModel('dae_unet', daeUnetParamsSchema, buildDaeUnet, (p, o) => checkDaeUnetInputSize(p.depth, o.inputSize)),
  soft_intro_vae: defineModel('soft_intro_vae', softIntroVaeParamsSchema, buildSoftIntroVae, (p, o) => checkSoftIntroVaeInputSize(p, o.inputSize)),
  morphaeus: defineModel('morphaeus', morphaeusParamsSchema, buildMorphaeus, (p, o) => void planMorphaeus(p, o)),
  synthetic_objective: defineModel(
    'synthetic_objective',
    syntheticObjectiveParamsSchema,
    (_params, options) => buildSyntheticObjective(options.random),
    () => undefined,
  ),
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

/**
 * Throws a ModelParamsError naming each bad `model.params.<key>`, or the param whose shapes
 * cannot be built at `options.inputSize`; makes no weight.
 */
export function planModel(ref: ComponentRef, options: ModelShapeOptions): void {
  lookup(ref).plan(ref.params, options);
}

/** Throws an Error naming `model.name` or each bad `model.params.<key>`; builds nothing. */
export function validateModelParams(ref: ComponentRef): void {
  lookup(ref).validate(ref.params);
}
