import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildReconstructionLoss } from '../../../../shared/ml/losses/reconstruction-loss-registry.ts';
import { validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildVae, type VaeParams } from '../../../../shared/ml/models/vae.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

const TINY: VaeParams = { input_size: [1, 32, 32], h_size: [4, 8, 8, 16], z_dim: 6 };

function build(params: VaeParams, mode: 'reference' | 'corrected' = 'reference'): AutoencoderModel {
  const [, height, width] = params.input_size;
  return buildVae(params, { mode, random: new SeededRandom(5), inputSize: [height, width] });
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('VAE (Hahn)', () => {
  test('the CXR configuration has the official 5,849,600 bias-free parameters in state_dict order', () => {
    const model = build({ input_size: [1, 128, 128], h_size: [16, 32, 64, 256, 256], z_dim: 256 });
    expect([...model.parameters.values()].reduce((n, v) => n + v.size, 0)).toBe(5_849_600);
    expect(model.buffers.size).toBe(0);
    expect([...model.parameters.keys()]).toEqual([
      'encoder.start.conv.weight',
      ...[0, 1, 2, 3].map((i) => `encoder.middle_blocks.${i}.conv.weight`),
      'encoder.end.conv.weight',
      'decoder.start.conv.weight',
      ...[0, 1, 2, 3].map((i) => `decoder.middle_blocks.${i}.conv.weight`),
      'decoder.end.conv.weight',
    ]);
    // The 4×4 map left after five halvings is spanned by the last conv: a 512×1×1 code.
    expect(model.parameters.get('encoder.end.conv.weight')!.shape).toEqual([4, 4, 256, 512]);
    model.dispose();
  });

  test('returns std under z_logvar, the raw half as log_std, and decodes mu at evaluation', () => {
    const model = build(TINY);
    tf.tidy(() => {
      const out = model.forward(randomImages(2, 32), { training: false });
      expect(out.xRec.shape).toEqual([2, 32, 32, 1]);
      expect(out.extras.z_mu.shape).toEqual([2, 1, 1, 6]);
      expect(values(out.extras.z_logvar)).toEqual(values(tf.exp(out.extras.log_std)));
      expect(values(out.z!)).toEqual(values(out.extras.z_mu));
    });
    model.dispose();
  });

  test('reference mode trains with z = mu (the model stays in eval mode officially); corrected mode samples', () => {
    const reference = build(TINY, 'reference');
    const corrected = build(TINY, 'corrected');
    tf.tidy(() => {
      const x = randomImages(2, 32);
      const evaluation = values(reference.forward(x, { training: false }).xRec);
      expect(values(reference.forward(x, { training: true, random: new SeededRandom(1) }).xRec)).toEqual(evaluation);

      const sampled = (random: SeededRandom) => corrected.forward(x, { training: true, random });
      const first = sampled(new SeededRandom(1));
      expect(values(first.z!)).not.toEqual(values(first.extras.z_mu));
      expect(values(sampled(new SeededRandom(1)).xRec)).toEqual(values(first.xRec));
      expect(values(sampled(new SeededRandom(2)).xRec)).not.toEqual(values(first.xRec));
      expect(values(corrected.forward(x, { training: false }).z!)).toEqual(values(corrected.forward(x, { training: false }).extras.z_mu));
    });
    reference.dispose();
    corrected.dispose();
  });

  test('sample_in_training overrides the mode default', () => {
    const model = build({ ...TINY, sample_in_training: true }, 'reference');
    tf.tidy(() => {
      const out = model.forward(randomImages(1, 32), { training: true, random: new SeededRandom(1) });
      expect(values(out.z!)).not.toEqual(values(out.extras.z_mu));
    });
    model.dispose();
  });

  test('sizes that cannot come back to the input are refused, naming the key', () => {
    expect(() => build({ ...TINY, h_size: [4, 8, 8, 16, 16] })).toThrow(/model\.params\.h_size: 5 levels halve 32 pixels/);
    expect(() => build({ ...TINY, input_size: [1, 40, 40] })).toThrow(/model\.params\.input_size: 40 is not divisible by 2\^4/);
    expect(() => buildVae(TINY, { mode: 'reference', random: new SeededRandom(1), inputSize: [64, 64] })).toThrow(
      /model\.params\.input_size: \(1, 32, 32\) does not match the data's target_size \[64, 64\]/,
    );
  });

  test('configs/experiments/cxr/vae.yaml loads as the official VAE with VAELoss and the plateau schedule', () => {
    const { model, trainer, experiment, mode } = loadExperimentConfigFile(path.resolve(import.meta.dirname, '../../../../configs/experiments/cxr/vae.yaml')).config;
    expect(model).toEqual({ name: 'vae', params: { input_size: [1, 128, 128], h_size: [16, 32, 64, 256, 256], z_dim: 256 } });
    expect(() => validateModelParams(model)).not.toThrow();
    expect(trainer.name).toBe('reconstruction');
    expect(trainer.params).toMatchObject({ nrEpochs: 500, lr: 5e-4, lrScheduler: 'plateau', loss: { name: 'vae_loss', params: { rec_log_std: 0 } } });
    expect(() => buildReconstructionLoss(trainer.params.loss, { mode })).not.toThrow();
    expect(trainer.dataLoader).toMatchObject({ targetSize: [128, 128], batchSize: 128 });
    expect(experiment.weights).toBeNull();
  });
});
