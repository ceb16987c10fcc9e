import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../../shared/config/config-error.ts';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { nccLoss } from '../../../../shared/ml/losses/ncc-loss.ts';
import { buildModel } from '../../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { createMorphTrainer, morphBeta, morphTrainerOptions } from '../../../../shared/ml/training/morph-trainer.ts';
import type { TrainerStrategy } from '../../../../shared/ml/training/trainer-strategy.ts';
import { vgg19StateDict, writeStateDictFile } from '../losses/helpers/vgg19-weights.ts';
import { discDataset } from './helpers/memory-dataset.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';
import { tinyConfig } from './helpers/tiny-config.ts';
import { tinyMorphConfig } from './helpers/tiny-morph-config.ts';

beforeAll(useCpuBackend);

let model: AutoencoderModel | undefined;
let trainer: TrainerStrategy | undefined;
function tearDown(): void {
  trainer?.dispose();
  model?.dispose();
  model = trainer = undefined;
}
afterEach(tearDown);

function setUp(config: ExperimentConfig): { model: AutoencoderModel; trainer: TrainerStrategy } {
  model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: [16, 16] });
  trainer = createMorphTrainer(model, config);
  return { model, trainer };
}

const batch = async (): Promise<tf.Tensor4D> => {
  const loaded = await discDataset(4, 16, 1).load([0, 1, 2, 3]);
  return tf.tensor4d(loaded.images, [4, 16, 16, 1]);
};

describe('the MorphAEus β schedule', () => {
  it('ramps β_max·e/max_iter per epoch between 1e-3 and β_max (official numpy clip)', () => {
    // CXR: β_max 3 over 200 epochs.
    expect([0, 1, 10, 100, 200, 300].map((e) => morphBeta(e, 3, 200))).toEqual([1e-3, 0.015, 0.15, 1.5, 3, 3]);
    // Teaser: β_max 10 over 50 epochs.
    expect(morphBeta(5, 10, 50)).toBe(1);
    // np.clip with a_min > a_max gives a_max.
    expect(morphBeta(7, 5e-4, 10)).toBe(5e-4);
  });

  it('is set by beginEpoch and reported with every step', async () => {
    // The morph term stays off here: β is reported either way.
    const { trainer } = setUp(tinyMorphConfig({ morph_start_epoch: 1000 }));
    const x = await batch();
    const reported: number[] = [];
    for (const epoch of [0, 50, 100]) {
      trainer.beginEpoch!(epoch);
      reported.push((await trainer.trainStep(x, { epoch, random: new SeededRandom(0) })).beta);
    }
    x.dispose();
    expect(reported).toEqual([1e-3, 0.75, 1.5]);
  });
});

describe('the morph switch', () => {
  it('official default: the morph term from epoch 11 (`epoch > 10`); a bad morph_start_epoch names the key', () => {
    expect(morphTrainerOptions(tinyMorphConfig())).toEqual({ morph_start_epoch: 11 });
    expect(() => morphTrainerOptions(tinyMorphConfig({ morph_start_epoch: 1.5 }))).toThrow(ConfigError);
    expect(() => morphTrainerOptions(tinyMorphConfig({ morph_start_epoch: -1 }))).toThrow(/trainer\.params\.morph_start_epoch: expected a non-negative integer/);
  });

  it('before morph_start_epoch only the AE learns and the deformer gets no gradient; from it on the deformer learns too', async () => {
    const { model, trainer } = setUp(tinyMorphConfig({ morph_start_epoch: 1 }));
    const snapshot = () => new Map([...model.parameters].map(([name, v]) => [name, Array.from(v.dataSync())]));
    const changed = (before: Map<string, number[]>) =>
      [...model.parameters].filter(([name, v]) => v.dataSync().some((value, i) => value !== before.get(name)![i])).map(([name]) => name);
    const deformerNames = [...model.parameters.keys()].filter((name) => name.startsWith('deformer.'));
    const x = await batch();

    let before = snapshot();
    trainer.beginEpoch!(0);
    const warmUp = await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(0) });
    expect(Object.keys(warmUp).sort()).toEqual(['beta', 'loss', 'loss_rec']);
    expect(warmUp.loss).toBe(warmUp.loss_rec);
    const afterWarmUp = changed(before);
    expect(afterWarmUp).toContain('encoder.conv__encode_0.weight');
    expect(afterWarmUp).toContain('decoder.conv__decode_final.bias');
    expect(afterWarmUp.filter((name) => name.startsWith('deformer.'))).toEqual([]);
    // Adam keeps no state for a parameter that never had a gradient (PyTorch: grad None).
    expect(Object.keys(trainer.optimizers.get('model')!.stateMeta().steps).filter((name) => name.startsWith('deformer.'))).toEqual([]);

    before = snapshot();
    trainer.beginEpoch!(1);
    const morph = await trainer.trainStep(x, { epoch: 1, random: new SeededRandom(0) });
    x.dispose();
    expect(Object.keys(morph).sort()).toEqual(['beta', 'loss', 'loss_morph', 'loss_ncc', 'loss_rec', 'loss_reg']);
    expect(morph.loss).toBeCloseTo(morph.loss_rec + morph.loss_morph, 6);
    expect(morph.loss_morph).toBeCloseTo(morph.loss_ncc + morph.beta * morph.loss_reg, 6);
    expect(changed(before)).toEqual(expect.arrayContaining(deformerNames));
  });

  it('validation reports loss_prec on the prior and selects on loss_mse = ½[MSE(p, x) + MSE(x̂, x)]', async () => {
    const { model, trainer } = setUp(tinyMorphConfig());
    const x = await batch();
    const metrics = await trainer.validateBatch(x);
    const [prior, deformed] = tf.tidy(() => {
      const out = model.forward(x, { training: false });
      return [tf.mean(tf.squaredDifference(out.extras.x_prior, x)).dataSync()[0], tf.mean(tf.squaredDifference(out.xRec, x)).dataSync()[0]];
    });
    x.dispose();
    expect(trainer.selectionMetric).toBe('loss_mse');
    expect(metrics.loss_prec).toBeCloseTo(prior, 7);
    expect(metrics.loss_mse).toBeCloseTo((prior + deformed) / 2, 7);
  });

  it('the NCC term averages both directions, NCC(x, x̂) and NCC(p, x̃); without bidir it is NCC(x, x̂) alone', async () => {
    for (const bidir of [true, false]) {
      const config = tinyMorphConfig({ morph_start_epoch: 0 });
      config.model.params.bidir = bidir;
      const { model, trainer } = setUp(config);
      const x = await batch();
      const expected = tf.tidy(() => {
        const out = model.forward(x, { training: false });
        const forward = nccLoss(x, out.xRec).dataSync()[0];
        return bidir ? (forward + nccLoss(out.extras.x_prior as tf.Tensor4D, out.extras.x_reversed as tf.Tensor4D).dataSync()[0]) / 2 : forward;
      });
      trainer.beginEpoch!(0);
      const losses = await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(0) });
      x.dispose();
      expect(losses.loss_ncc).toBeCloseTo(expected, 6);
      tearDown();
    }
  });

  it('refuses a model without MorphAEus outputs', async () => {
    const ae = tinyConfig({ size: 16 });
    model = buildModel(ae.model, { mode: 'reference', random: new SeededRandom(1), inputSize: [16, 16] });
    trainer = createMorphTrainer(model, tinyMorphConfig());
    const x = await batch();
    await expect(trainer!.trainStep(x, { epoch: 0, random: new SeededRandom(0) })).rejects.toThrow(/trainer morph needs a model that returns x_prior, v and x_reversed/);
    x.dispose();
  });
});

describe('the perceptual term (alfa > 0)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'aelab-morph-vgg-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('is refused, naming trainer.params.alfa, when no VGG19 weights file is named', () => {
    vi.stubEnv('AELAB_VGG19_WEIGHTS', '');
    const config = tinyMorphConfig();
    config.trainer.params.alfa = 0.05;
    expect(() => setUp(config)).toThrow(/trainer\.params\.alfa: alfa = 0\.05 weights a perceptual loss/);
    vi.unstubAllEnvs();
  });

  it('adds alfa·PL(p, x) to the reconstruction loss and reports loss_pl in training and validation', async () => {
    const weights = writeStateDictFile(join(directory, 'vgg19.safetensors'), vgg19StateDict(5));
    const config = tinyMorphConfig({ perceptual_weights: weights });
    config.trainer.params.alfa = 0.05;
    const { trainer } = setUp(config);
    const x = await batch();
    const validation = await trainer.validateBatch(x);
    trainer.beginEpoch!(0);
    const losses = await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(0) });
    x.dispose();
    expect(Object.keys(losses).sort()).toEqual(['beta', 'loss', 'loss_pl', 'loss_rec']);
    expect(losses.loss_pl).toBeGreaterThan(0);
    expect(losses.loss).toBeCloseTo(losses.loss_rec + 0.05 * losses.loss_pl, 6);
    expect(validation.loss_pl).toBeCloseTo(losses.loss_pl, 5);
  });
});
