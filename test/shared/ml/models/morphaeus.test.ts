import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildModel, validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildMorphaeus, type MorphaeusParams } from '../../../../shared/ml/models/morphaeus.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { buildTrainer } from '../../../../shared/ml/training/trainer-registry.ts';
import { goldenRoot } from '../golden/golden-files.ts';
import { randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** 16 → 8 → 4 → 2 → 1; the deformer reads the 4² and 8² levels and its flow comes out 16². */
const TINY: MorphaeusParams = { in_channels: 1, channels: [4, 8, 8, 8], strides: [2, 2, 2, 2], nr_ref_channels: 2, kernel_size: 3, norm: 'batch', act: 'swish', deconv_mode: 'stride' };

function build(params: MorphaeusParams, inputSize: [number, number] = [16, 16], mode: 'reference' | 'corrected' = 'reference'): AutoencoderModel {
  return buildMorphaeus(params, { mode, random: new SeededRandom(1), inputSize });
}

/** max |t|, or max |f()| with f's tensors freed. */
const maxAbs = (t: tf.Tensor | (() => tf.Tensor)): number => tf.tidy(() => tf.max(tf.abs(typeof t === 'function' ? t() : t)).dataSync()[0]);
const count = (variables: ReadonlyMap<string, tf.Variable>): number => [...variables.values()].reduce((n, v) => n + v.size, 0);

describe('MorphAEus', () => {
  test('a fresh model barely deforms: its flow head starts at N(0, 1e-5) with zero bias, so x̂ ≈ p and x̃ ≈ x', () => {
    const model = build(TINY);
    const x = randomImages(2, 16);
    const before = tf.memory().numTensors;
    const out = model.forward(x, { training: false });
    const { x_prior, v, phi, phi_neg, y_source, x_reversed } = out.extras;
    expect(out.xRec).toBe(y_source);
    expect(out.z!.shape).toEqual([2, 1, 1, 8]);
    for (const t of [x_prior, y_source, x_reversed]) expect(t.shape).toEqual([2, 16, 16, 1]);
    for (const t of [v, phi, phi_neg]) expect(t.shape).toEqual([2, 16, 16, 2]);
    expect(maxAbs(v)).toBeGreaterThan(0);
    expect(maxAbs(v)).toBeLessThan(1e-3);
    expect(maxAbs(() => tf.sub(y_source, x_prior))).toBeLessThan(1e-4);
    expect(maxAbs(() => tf.sub(x_reversed, x))).toBeLessThan(1e-4);
    // Scaling and squaring of −v is (to first order) the negated field.
    expect(maxAbs(() => tf.add(phi, phi_neg))).toBeLessThan(1e-6);
    tf.dispose([out.z!, ...Object.values(out.extras)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('state_dict: the official names and order, the identity grids as buffers at the end', () => {
    const model = build(TINY);
    expect([...model.parameters.keys()].slice(-12)).toEqual([
      'decoder.conv__decode_final.weight',
      'decoder.conv__decode_final.bias',
      ...[0, 1].flatMap((i) => [
        `deformer.deformerNN.ref__refine_${i}.weight`,
        `deformer.deformerNN.ref__refine_${i}.bias`,
        `deformer.deformerNN.ref__batch_${i}.weight`,
        `deformer.deformerNN.ref__batch_${i}.bias`,
      ]),
      'deformer.flow.weight',
      'deformer.flow.bias',
    ]);
    // Refine layers are ConvTranspose2d: TF.js (k, k, out 32, in enc + dec [+ 32]).
    expect(model.parameters.get('deformer.deformerNN.ref__refine_0.weight')!.shape).toEqual([3, 3, 32, 8 + 8]);
    expect(model.parameters.get('deformer.deformerNN.ref__refine_1.weight')!.shape).toEqual([3, 3, 32, 4 + 8 + 32]);
    const buffers = [...model.buffers.keys()];
    expect(buffers.slice(-2)).toEqual(['deformer.integrate.transformer.grid', 'deformer.transformer.grid']);
    const grid = model.buffers.get('deformer.transformer.grid')!;
    expect(grid.shape).toEqual([1, 2, 16, 16]);
    const values = grid.dataSync();
    expect([values[5 * 16 + 7], values[256 + 5 * 16 + 7]]).toEqual([5, 7]);
    expect(model.parameters.get('deformer.flow.bias')!.dataSync()).toEqual(new Float32Array(2));
    model.dispose();
  });

  test('parameter and buffer counts of the official CXR config (docs/models.md §16)', () => {
    const model = build(
      { inshape: [128, 128], bidir: true, in_channels: 1, nr_ref_channels: 3, channels: [16, 32, 64, 128, 256, 256, 256], strides: [2, 2, 2, 2, 2, 2, 2], out_ch: 1, kernel_size: 3, norm: 'batch', act: 'swish', deconv_mode: 'stride' },
      [128, 128],
    );
    expect(count(model.parameters)).toBe(3_854_755);
    expect(count(model.buffers)).toBe(69_777);
    const deformer = [...model.parameters].filter(([name]) => name.startsWith('deformer.')).reduce((n, [, v]) => n + v.size, 0);
    expect(deformer).toBe(116_066);
    model.dispose();
  });

  test('without bidir there is no backward field and x_reversed is the deformed prior', () => {
    const model = build({ ...TINY, bidir: false });
    tf.tidy(() => {
      const out = model.forward(randomImages(1, 16), { training: false });
      expect(out.extras.phi_neg).toBeUndefined();
      expect(out.extras.x_reversed).toBe(out.xRec);
    });
    model.dispose();
  });

  test('BatchNorm statistics (the deformer\'s too) move in corrected training only', () => {
    const mean = (model: AutoencoderModel) => Array.from(model.buffers.get('deformer.deformerNN.ref__batch_1.running_mean')!.dataSync());
    for (const [mode, moves] of [['reference', false], ['corrected', true]] as const) {
      const model = build(TINY, [16, 16], mode);
      const before = mean(model);
      tf.tidy(() => void model.forward(randomImages(2, 16), { training: true }));
      expect(mean(model).some((value, i) => value !== before[i])).toBe(moves);
      model.dispose();
    }
  });

  test('the morph path reaches every parameter: the taps are not detached', () => {
    const model = build(TINY);
    const x = randomImages(2, 16);
    const { grads } = tf.variableGrads(() => {
      const out = model.forward(x, { training: true });
      return tf.add(tf.mean(tf.square(tf.sub(out.xRec, x))), tf.mean(tf.square(tf.sub(out.extras.x_reversed, x)))) as tf.Scalar;
    }, [...model.parameters.values()]);
    expect(Object.keys(grads)).toHaveLength(model.parameters.size);
    model.dispose();
  });

  test('configurations the deformer cannot be wired for are refused, naming the params', () => {
    // A 2×2 latent: the decoder never comes back to the encoder's coarsest tap width.
    expect(() => build({ ...TINY, channels: [4, 8, 8], strides: [2, 2, 2] })).toThrow(/model\.params\.channels: model\.params channels \[4, 8, 8\].*no decoder feature map/);
    // A stride-1 first level: the last refine layer doubles a 16² tap to 32².
    expect(() => build({ ...TINY, channels: [4, 4, 8, 8, 8], strides: [1, 2, 2, 2, 2] })).toThrow(/flow comes out 32×32, not the input size/);
    expect(() => build({ ...TINY, inshape: [32, 32] })).toThrow(/model\.params\.inshape: \[32, 32\] must equal the data's target_size \[16, 16\]/);
    expect(() => validateModelParams({ name: 'morphaeus', params: { ...TINY, deconv_mode: 'upsample' } })).toThrow(/deconv_mode/);
    expect(() => build(TINY, [20, 20])).toThrow(/input height of 20/);
  });
});

describe('the MorphAEus configs', () => {
  const configs = path.resolve(import.meta.dirname, '../../../../configs');

  test('experiments/cxr/morphaeus.yaml builds the model of the golden files, from scratch', () => {
    const { config } = loadExperimentConfigFile(path.join(configs, 'experiments/cxr/morphaeus.yaml'));
    const manifest = JSON.parse(readFileSync(path.join(goldenRoot(), 'morphaeus', 'manifest.json'), 'utf8')) as { model_params: Record<string, unknown> };
    expect(config.model).toEqual({ name: 'morphaeus', params: manifest.model_params });
    expect(config.experiment.weights).toBeNull();
    expect(config.trainer).toMatchObject({ name: 'morph', params: { alfa: 0.05, beta: 3, delta: 1, maxIter: 200, lr: 5e-4, extra: { morph_start_epoch: 11 } } });
  });

  test('smoke/morphaeus.yaml builds its 32×32 model and the morph trainer', () => {
    const { config } = loadExperimentConfigFile(path.join(configs, 'smoke/morphaeus.yaml'));
    const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: config.trainer.dataLoader.targetSize });
    const trainer = buildTrainer(model, config);
    expect(trainer.name).toBe('morph');
    expect(config.trainer.params.alfa).toBe(0);
    trainer.dispose();
    model.dispose();
  });
});
