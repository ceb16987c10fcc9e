import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import { parseExperimentConfigText } from '../../../../shared/config/load-experiment-config.ts';
import { VGG19_EXPORT_PYTHON } from '../../../../shared/ml/losses/perceptual-loss.ts';
import {
  checkPerceptualWeightsAvailable,
  perceptualLossForRun,
  perceptualWeightsPath,
} from '../../../../shared/ml/losses/perceptual-weights.ts';
import { configErrorOf } from '../../../support/config-error-of.ts';

const directory = mkdtempSync(join(tmpdir(), 'aelab-perceptual-weights-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A config as a user writes it, with `trainer.params` lines added. */
function config(trainerParams: string): ExperimentConfig {
  const yaml = `
name: pl
model: {name: conv_autoencoder, params: {channels: [4], strides: [2]}}
trainer:
  name: reconstruction
  params:
    loss: {name: l2}
    optimizer_params: {lr: 1.0e-3}
${trainerParams
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
  data_loader: {name: phantoms, params: {args: {target_size: [32, 32]}}}
`;
  return parseExperimentConfigText(yaml, 'test.yaml').config;
}

describe('checkPerceptualWeightsAvailable', () => {
  test('alfa > 0 without a weights file is refused at trainer.params.alfa, with the Python that writes the file', () => {
    const error = configErrorOf(() => checkPerceptualWeightsAvailable(config('alfa: 0.05'), {}));
    expect(error.key).toBe('trainer.params.alfa');
    expect(error.message).toContain('alfa = 0.05 weights a perceptual loss that needs torchvision\'s ImageNet VGG19 weights, but no weights file is named');
    expect(error.message).toContain(`python -c '${VGG19_EXPORT_PYTHON}'`);
    expect(error.message).toContain('or set alfa: 0');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  test('a named file that does not exist is refused, naming it', () => {
    const missing = join(directory, 'missing.safetensors');
    const error = configErrorOf(() => checkPerceptualWeightsAvailable(config(`alfa: 0.05\nperceptual_weights: ${missing}`), {}));
    expect(error.message).toContain(`the weights file ${missing} does not exist`);
    const fromEnv = configErrorOf(() => checkPerceptualWeightsAvailable(config('alfa: 0.05'), { AELAB_VGG19_WEIGHTS: missing }));
    expect(fromEnv.key).toBe('trainer.params.alfa');
  });

  test('an existing file from the config or the environment passes; alfa 0 needs none', () => {
    const file = join(directory, 'vgg19.safetensors');
    writeFileSync(file, 'x');
    expect(() => checkPerceptualWeightsAvailable(config(`alfa: 0.05\nperceptual_weights: ${file}`), {})).not.toThrow();
    expect(() => checkPerceptualWeightsAvailable(config('alfa: 0.05'), { AELAB_VGG19_WEIGHTS: file })).not.toThrow();
    expect(() => checkPerceptualWeightsAvailable(config('alfa: 0'), {})).not.toThrow();
    expect(perceptualLossForRun(config('alfa: 0'), {})).toBeNull();
  });

  test('the config names the file before the environment does; a non-string is refused at its key', () => {
    expect(perceptualWeightsPath(config('perceptual_weights: /a/vgg.safetensors'), { AELAB_VGG19_WEIGHTS: '/b/vgg.safetensors' })).toBe('/a/vgg.safetensors');
    expect(perceptualWeightsPath(config('alfa: 0'), { AELAB_VGG19_WEIGHTS: '/b/vgg.safetensors' })).toBe('/b/vgg.safetensors');
    expect(configErrorOf(() => perceptualWeightsPath(config('perceptual_weights: 3'), {})).key).toBe('trainer.params.perceptual_weights');
  });
});
