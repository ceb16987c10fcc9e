import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildDenseConvAutoencoder, type DenseConvAutoencoderParams } from '../../../../shared/ml/models/dense-conv-autoencoder.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

const AE_D: DenseConvAutoencoderParams = { in_channels: 1, channels: [32, 64, 128], strides: [2, 2, 2, 2], out_ch: 1, kernel_size: 5, norm: 'batch', act: 'leakyrelu', deconv_mode: 'trans' };
const TINY: DenseConvAutoencoderParams = { ...AE_D, channels: [4, 8, 8] };

function build(params: DenseConvAutoencoderParams, size: number, mode: 'reference' | 'corrected' = 'reference'): AutoencoderModel {
  return buildDenseConvAutoencoder(params, { mode, random: new SeededRandom(5), inputSize: [size, size] });
}


describe('DenseConvAutoEncoderBaur (AE-D)', () => {
  test('the CXR configuration has the official 1,626,993 parameters; the dense bottleneck comes last in the state_dict', () => {
    const model = build(AE_D, 128);
    expect([...model.parameters.values()].reduce((n, v) => n + v.size, 0)).toBe(1_626_993);
    expect([...model.buffers.values()].reduce((n, v) => n + v.size, 0)).toBe(1_224);
    expect([...model.parameters.keys()].slice(-10)).toEqual([
      'decoder.conv__decode_final.weight',
      'decoder.conv__decode_final.bias',
      'lin_enc.weight',
      'lin_enc.bias',
      'lin_lay_enc.weight',
      'lin_lay_enc.bias',
      'lin_lay_dec.weight',
      'lin_lay_dec.bias',
      'lin_dec.weight',
      'lin_dec.bias',
    ]);
    // 16×8×8 flattened = the official hard-coded 1024; TF.js Linear weights are (in, out).
    expect(model.parameters.get('lin_lay_enc.weight')!.shape).toEqual([1024, 128]);
    model.dispose();
  });

  test('on 32×32 images the dense layers take the 16×2×2 map; z is the 128-d code', () => {
    const model = build(TINY, 32);
    expect(model.parameters.get('lin_lay_enc.weight')!.shape).toEqual([64, 128]);
    tf.tidy(() => {
      const out = model.forward(randomImages(2, 32), { training: false });
      expect(out.xRec.shape).toEqual([2, 32, 32, 1]);
      expect(out.z!.shape).toEqual([2, 128]);
    });
    model.dispose();
  });

  test('defaults are the official class defaults (kernel 5, leakyrelu), and bad sizes name the keys', () => {
    const model = build({ channels: [4, 8, 8], strides: [2, 2, 2, 2], deconv_mode: 'trans' }, 32);
    expect(model.parameters.get('encoder.conv__encode_0.weight')!.shape).toEqual([5, 5, 1, 4]);
    model.dispose();
    expect(() => build(TINY, 36)).toThrow(/model\.params\.strides: an input height of 36 .*model\.params\.strides/);
  });

  test('configs/experiments/cxr/ae-d.yaml loads as the official AE-D with L1 and the reconstruction trainer', () => {
    const { model, trainer, experiment } = loadExperimentConfigFile(path.resolve(import.meta.dirname, '../../../../configs/experiments/cxr/ae-d.yaml')).config;
    expect(model).toEqual({ name: 'dense_conv_autoencoder', params: AE_D });
    expect(() => validateModelParams(model)).not.toThrow();
    expect(trainer.name).toBe('reconstruction');
    expect(trainer.params).toMatchObject({ nrEpochs: 1000, lr: 5e-4, patience: 25, lrScheduler: 'none', loss: { name: 'l1' } });
    expect(trainer.dataLoader).toMatchObject({ targetSize: [128, 128], batchSize: 64 });
    expect(experiment.weights).toBeNull();
  });
});
