import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildReconstructionLoss } from '../../../../shared/ml/losses/reconstruction-loss-registry.ts';
import { validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildBetaVae, type BetaVaeParams } from '../../../../shared/ml/models/beta-vae.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

function build(params: BetaVaeParams, size: number, seed = 5): AutoencoderModel {
  return buildBetaVae(params, { mode: 'reference', random: new SeededRandom(seed), inputSize: [size, size] });
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const std = (t: tf.Tensor): number => tf.tidy(() => Math.sqrt(tf.moments(t).variance.dataSync()[0]));

describe('BetaVAE_H', () => {
  test('the CXR configuration (z_dim 32, additional layer) has the official 419,713 parameters, named by Sequential index', () => {
    const model = build({ nc: 1, z_dim: 32 }, 128);
    expect([...model.parameters.values()].reduce((n, v) => n + v.size, 0)).toBe(419_713);
    expect([...model.parameters.keys()].filter((name) => name.endsWith('.weight'))).toEqual([
      ...[0, 2, 4, 6, 8, 10].map((i) => `encoder.${i}.weight`),
      'encoder.13.weight',
      'decoder.0.weight',
      ...[3, 5, 7, 9, 11, 13].map((i) => `decoder.${i}.weight`),
    ]);
    model.dispose();
  });

  test('without the additional layer it is the original 64×64 network', () => {
    const model = build({ nc: 1, z_dim: 8, additional_layer: false }, 64);
    expect(model.parameters.has('encoder.11.weight')).toBe(true);
    expect(model.parameters.has('decoder.11.weight')).toBe(true);
    expect(model.parameters.has('decoder.13.weight')).toBe(false);
    tf.tidy(() => {
      const out = model.forward(randomImages(2, 64), { training: false });
      expect(out.xRec.shape).toEqual([2, 64, 64, 1]);
      expect(out.extras.z_mu.shape).toEqual([2, 8]);
      expect(out.extras.z_logvar.shape).toEqual([2, 8]);
    });
    model.dispose();
  });

  test('Kaiming-normal init on Conv2d and Linear (zero bias); the transposed convs keep PyTorch\'s uniform default', () => {
    const model = build({ nc: 1, z_dim: 32 }, 128);
    const p = (name: string) => model.parameters.get(name)!;
    // encoder.2: fan_in 32·4·4 = 512, std √(2/512) = 0.0625 over 16,384 draws.
    expect(std(p('encoder.2.weight'))).toBeCloseTo(Math.sqrt(2 / 512), 3);
    expect(std(p('encoder.13.weight'))).toBeCloseTo(Math.sqrt(2 / 256), 2);
    expect(values(p('encoder.2.bias')).every((v) => v === 0)).toBe(true);
    expect(values(p('decoder.0.bias')).every((v) => v === 0)).toBe(true);
    // decoder.5: U(±1/√(out·k²)) = U(±1/√512), std 1/√(3·512); its bias is not zero.
    const bound = 1 / Math.sqrt(512);
    expect(Math.max(...values(p('decoder.5.weight')).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(std(p('decoder.5.weight'))).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(values(p('decoder.5.bias')).some((v) => v !== 0)).toBe(true);
    model.dispose();
  });

  test('training samples z; evaluation decodes mu unless sample_at_eval', () => {
    const deterministic = build({ nc: 1, z_dim: 8, additional_layer: false }, 64);
    const stochastic = build({ nc: 1, z_dim: 8, additional_layer: false, sample_at_eval: true }, 64);
    tf.tidy(() => {
      const x = randomImages(1, 64);
      const evaluation = deterministic.forward(x, { training: false });
      expect(values(evaluation.z!)).toEqual(values(evaluation.extras.z_mu));
      expect(values(deterministic.forward(x, { training: false }).xRec)).toEqual(values(evaluation.xRec));

      const trained = deterministic.forward(x, { training: true, random: new SeededRandom(1) });
      expect(values(trained.z!)).not.toEqual(values(trained.extras.z_mu));
      expect(values(deterministic.forward(x, { training: true, random: new SeededRandom(1) }).xRec)).toEqual(values(trained.xRec));

      const a = stochastic.forward(x, { training: false });
      const b = stochastic.forward(x, { training: false });
      expect(values(a.z!)).not.toEqual(values(a.extras.z_mu));
      expect(values(a.xRec)).not.toEqual(values(b.xRec));
    });
    deterministic.dispose();
    stochastic.dispose();
  });

  test('an image size the fixed architecture cannot take is refused, naming additional_layer', () => {
    expect(() => build({ nc: 1, z_dim: 32 }, 64)).toThrow(/model\.params\.additional_layer: .*takes 128×128 images.*use additional_layer false for 64×64/);
    expect(() => build({ nc: 1, z_dim: 32, additional_layer: false }, 32)).toThrow(/takes 64×64 images/);
  });

  test('configs/experiments/cxr/b-vae.yaml loads as the official BetaVAE_H with the type-B VAEHigLoss', () => {
    const { model, trainer, experiment, mode } = loadExperimentConfigFile(path.resolve(import.meta.dirname, '../../../../configs/experiments/cxr/b-vae.yaml')).config;
    expect(model).toEqual({ name: 'beta_vae', params: { nc: 1, z_dim: 32, additional_layer: true } });
    expect(() => validateModelParams(model)).not.toThrow();
    expect(trainer.name).toBe('reconstruction');
    expect(trainer.params).toMatchObject({
      nrEpochs: 1000,
      lr: 5e-4,
      patience: 25,
      lrScheduler: 'none',
      loss: { name: 'vae_hig_loss', params: { beta: 4, gamma: 2, max_capacity: 50, loss_type: 'B' } },
    });
    expect(() => buildReconstructionLoss(trainer.params.loss, { mode })).not.toThrow();
    expect(trainer.dataLoader).toMatchObject({ targetSize: [128, 128], batchSize: 64 });
    expect(experiment.weights).toBeNull();
  });
});
