import { loadExperimentConfigFile } from '../shared/config/load-experiment-config.ts';

/**
 * Adapts a config's model params, written for its own target size, to a smaller square
 * image size: each halving of the side removes the deepest level of the network, so the
 * bottleneck keeps the spatial size the config gives it. This is the pattern of the
 * official configs themselves (AAE `extra_layers` 2 for 128² and 1 for 64², BetaVAE_H's
 * `additional_layer` for 128², SI-VAE 5 channel entries for 128² and 6 for 256²).
 */
export interface SizeAdaptation {
  /** Dotted-path config overrides (for loadExperimentConfigFile); empty at the config's own size. */
  overrides: Record<string, unknown>;
  /** What changed, for the table's notes, e.g. `depth 4 → 3`. */
  notes: string[];
}

/** Thrown when a model's params cannot be adapted to the size; the message says why. */
export class SizeNotSupportedError extends Error {
  override readonly name = 'SizeNotSupportedError';
}

/**
 * The overrides that build `modelName` with `params` (written for `configSize`²) at
 * `size`². `size` must be `configSize` divided by a power of two.
 */
export function adaptParamsToSize(modelName: string, params: Record<string, unknown>, configSize: number, size: number): SizeAdaptation {
  if (size === configSize) return { overrides: {}, notes: [] };
  const halvings = Math.log2(configSize / size);
  if (!Number.isInteger(halvings) || halvings < 1) {
    throw new SizeNotSupportedError(`the params are for ${configSize}×${configSize}; only sizes ${configSize}/2^k are adapted, not ${size}`);
  }
  const adaptation: SizeAdaptation = { overrides: {}, notes: [] };
  const set = (key: string, from: unknown, to: unknown): void => {
    adaptation.overrides[`model.params.${key}`] = to;
    adaptation.notes.push(`${key} ${show(from)} → ${show(to)}`);
  };
  switch (modelName) {
    case 'conv_autoencoder':
    case 'dense_conv_autoencoder':
    case 'morphaeus': {
      const channels = numbers(params, 'channels');
      const strides = numbers(params, 'strides');
      // Levels as ConvEncoder counts them: one more stride than channels reuses the last count.
      const levels = Math.min(channels.length + 1, strides.length) - halvings;
      if (levels < 1) throw new SizeNotSupportedError(`${strides.length} stride entries leave no level after ${halvings} halving(s)`);
      set('strides', strides, strides.slice(0, levels));
      if (channels.length > levels) set('channels', channels, channels.slice(0, levels));
      if (params.inshape !== undefined) set('inshape', params.inshape, [size, size]);
      return adaptation;
    }
    case 'vae': {
      const hSize = numbers(params, 'h_size');
      const [channels] = numbers(params, 'input_size');
      if (hSize.length - halvings < 2) throw new SizeNotSupportedError(`h_size needs at least 2 entries; ${hSize.length} minus ${halvings} is fewer`);
      set('input_size', params.input_size, [channels, size, size]);
      set('h_size', hSize, hSize.slice(0, hSize.length - halvings));
      return adaptation;
    }
    case 'dae_unet': {
      const depth = integer(params, 'depth');
      if (depth - halvings < 1) throw new SizeNotSupportedError(`depth ${depth} leaves no block after ${halvings} halving(s)`);
      set('depth', depth, depth - halvings);
      return adaptation;
    }
    case 'soft_intro_vae': {
      const channels = numbers(params, 'channels');
      if (channels.length - halvings < 1) throw new SizeNotSupportedError(`channels leaves no level after ${halvings} halving(s)`);
      set('image_size', params.image_size, size);
      set('channels', channels, channels.slice(0, channels.length - halvings));
      return adaptation;
    }
    case 'aae': {
      const extraLayers = integer(params, 'extra_layers');
      if (extraLayers - halvings < 0) {
        throw new SizeNotSupportedError(`extra_layers ${extraLayers} builds ${configSize}²; the AAE's smallest image is 32² (extra_layers 0)`);
      }
      set('extra_layers', extraLayers, extraLayers - halvings);
      return adaptation;
    }
    case 'beta_vae': {
      // BetaVAE_H has exactly two architectures: 64² and, with additional_layer, 128².
      if (params.additional_layer !== true || halvings !== 1) {
        throw new SizeNotSupportedError('BetaVAE_H is defined for 64×64 and (additional_layer: true) 128×128 only');
      }
      set('additional_layer', true, false);
      return adaptation;
    }
    default:
      throw new SizeNotSupportedError(`no rule for adapting "${modelName}" params to ${size}×${size}; add one to bench/size-adapted-params.ts`);
  }
}

/** adaptParamsToSize for the model of the experiment config at `configPath`, written for its own square target_size. */
export function adaptConfigToSize(configPath: string, size: number): SizeAdaptation {
  const { config, raw } = loadExperimentConfigFile(configPath);
  const [height, width] = config.trainer.dataLoader.targetSize;
  if (height !== width) throw new SizeNotSupportedError(`the config's target_size ${height}×${width} is not square`);
  const modelParams = (raw.model as { params?: Record<string, unknown> | null }).params ?? {};
  return adaptParamsToSize(config.model.name, modelParams, height, size);
}

function numbers(params: Record<string, unknown>, key: string): number[] {
  const value = params[key];
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'number')) {
    throw new SizeNotSupportedError(`model.params.${key} must be a list of numbers to adapt it, got ${show(value)}`);
  }
  return value;
}

function integer(params: Record<string, unknown>, key: string): number {
  const value = params[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new SizeNotSupportedError(`model.params.${key} must be written as an integer to adapt it, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}
