import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import { createPerceptualLoss, vgg19ExportHint, VGG19_WEIGHTS_ENV, type PerceptualLoss } from './perceptual-loss.ts';

/** The config key that names the VGG19 weights file (kept in `trainer.params.extra`). */
export const PERCEPTUAL_WEIGHTS_KEY = 'perceptual_weights';

/**
 * The VGG19 weights file of a run: `trainer.params.perceptual_weights`, else the
 * `AELAB_VGG19_WEIGHTS` environment variable, resolved against the current directory;
 * undefined when neither is set. A config value that is not a string is a ConfigError.
 */
export function perceptualWeightsPath(config: ExperimentConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const written = config.trainer.params.extra[PERCEPTUAL_WEIGHTS_KEY];
  if (written !== undefined && written !== null) {
    if (typeof written !== 'string' || written.trim() === '') {
      throw new ConfigError('experiment config', {
        key: `trainer.params.${PERCEPTUAL_WEIGHTS_KEY}`,
        message: `expected the path of a safetensors file, got ${JSON.stringify(written)}`,
      });
    }
    return resolve(written);
  }
  const fromEnv = env[VGG19_WEIGHTS_ENV];
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : resolve(fromEnv);
}

/**
 * Refuses a config whose perceptual loss cannot run: `trainer.params.alfa > 0` with no
 * weights file named, or one that does not exist. The ConfigError names
 * `trainer.params.alfa` and says how to produce the file. Checks existence only; the
 * trainer reads and verifies the tensors when it starts.
 */
export function checkPerceptualWeightsAvailable(config: ExperimentConfig, env: NodeJS.ProcessEnv = process.env): void {
  const { alfa } = config.trainer.params;
  if (!(alfa > 0)) return;
  const path = perceptualWeightsPath(config, env);
  const problem =
    path === undefined
      ? `no weights file is named (trainer.params.${PERCEPTUAL_WEIGHTS_KEY} or ${VGG19_WEIGHTS_ENV})`
      : !existsSync(path)
        ? `the weights file ${path} does not exist`
        : statSync(path).isFile()
          ? undefined
          : `the weights file ${path} is not a file`;
  if (problem === undefined) return;
  throw new ConfigError('experiment config', {
    key: 'trainer.params.alfa',
    message: `alfa = ${alfa} weights a perceptual loss that needs torchvision's ImageNet VGG19 weights, but ${problem}; ${vgg19ExportHint()}; or set alfa: 0 to train without the perceptual loss`,
  });
}

/**
 * The perceptual loss a run's trainer uses: null when `alfa` is 0 (the loss is then
 * skipped, and costs nothing), else the VGG19 of the run's weights file. Throws the
 * ConfigError of `checkPerceptualWeightsAvailable` when the file is missing, and an
 * Error naming the tensor when it is not a VGG19 features state_dict.
 */
export function perceptualLossForRun(config: ExperimentConfig, env: NodeJS.ProcessEnv = process.env): PerceptualLoss | null {
  if (!(config.trainer.params.alfa > 0)) return null;
  checkPerceptualWeightsAvailable(config, env);
  return createPerceptualLoss(perceptualWeightsPath(config, env)!);
}
