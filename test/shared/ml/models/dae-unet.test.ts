import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildModel, validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildDaeUnet, groupNormGroups, type DaeUnetParams } from '../../../../shared/ml/models/dae-unet.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

const TINY: DaeUnetParams = { in_channels: 1, n_classes: 1, depth: 2, wf: 3, padding: true, norm: 'group', up_mode: 'upconv' };

function build(params: DaeUnetParams, size: number, mode: 'reference' | 'corrected' = 'reference'): AutoencoderModel {
  return buildDaeUnet(params, { mode, random: new SeededRandom(1), inputSize: [size, size] });
}

const parameterCount = (model: AutoencoderModel): number => [...model.parameters.values()].reduce((n, v) => n + v.size, 0);

describe('groupNormGroups (official get_groups)', () => {
  test('is the middle of the sorted divisors, the upper one when their count is even', () => {
    // 64: 1 2 4 [8] 16 32 64; 128: 1 2 4 8 [16] 32 64 128; 256: 1 2 4 8 [16] 32 64 128 256;
    // 512: 1 2 4 8 16 [32] 64 128 256 512; 12: 1 2 3 [4] 6 12; 7: 1 [7]; 1: [1].
    expect([64, 128, 256, 512].map(groupNormGroups)).toEqual([8, 16, 16, 32]);
    expect([8, 16, 32, 12, 7, 1].map(groupNormGroups)).toEqual([4, 4, 8, 4, 7, 1]);
  });
});

describe('DAE UNet', () => {
  test('configs/experiments/cxr/dae.yaml builds the official 128×128 UNet: 7,701,825 parameters, no buffers', () => {
    const { config } = loadExperimentConfigFile(path.resolve(import.meta.dirname, '../../../../configs/experiments/cxr/dae.yaml'));
    expect(() => validateModelParams(config.model)).not.toThrow();
    const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: config.trainer.dataLoader.targetSize });
    expect(model.name).toBe('dae_unet');
    expect(parameterCount(model)).toBe(7_701_825);
    expect(model.buffers.size).toBe(0);
    expect(model.parameters.get('down_path.3.block.7.weight')!.shape).toEqual([512]);
    // ConvTranspose2d 512→256, k2: TF.js (k, k, out, in).
    expect(model.parameters.get('up_path.0.up.weight')!.shape).toEqual([2, 2, 256, 512]);
    expect([...model.parameters.keys()].slice(-2)).toEqual(['last.weight', 'last.bias']);
    model.dispose();
  });

  test('tiny UNet (depth 2, wf 3): same-size unbounded reconstruction, no latent, no leaked tensors', () => {
    const model = build(TINY, 16);
    // down 80+16+584+16, 1168+32+2320+32; up ConvT 520, block 1160+16+584+16; last 9.
    expect(parameterCount(model)).toBe(6553);
    expect([...model.parameters.keys()]).toEqual([
      ...[0, 1].flatMap((i) => [1, 3, 5, 7].flatMap((j) => [`down_path.${i}.block.${j}.weight`, `down_path.${i}.block.${j}.bias`])),
      'up_path.0.up.weight',
      'up_path.0.up.bias',
      ...[1, 3, 5, 7].flatMap((j) => [`up_path.0.conv_block.block.${j}.weight`, `up_path.0.conv_block.block.${j}.bias`]),
      'last.weight',
      'last.bias',
    ]);
    const x = randomImages(2, 16);
    const before = tf.memory().numTensors;
    const out = model.forward(x, { training: true });
    expect(out.xRec.shape).toEqual([2, 16, 16, 1]);
    expect(out.z).toBeUndefined();
    expect(out.extras).toEqual({});
    // GroupNorm has no batch statistics: training and evaluation agree.
    const evaluated = model.forward(x, { training: false });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(out.xRec, evaluated.xRec))).dataSync()[0])).toBe(0);
    tf.dispose([out.xRec, evaluated.xRec]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('the other official options: norm batch (frozen in reference mode), norm none, up_mode upsample', () => {
    const batchNorm = build({ ...TINY, norm: 'batch', up_mode: 'upsample' }, 8);
    expect([...batchNorm.buffers.keys()].slice(0, 3)).toEqual([
      'down_path.0.block.3.running_mean',
      'down_path.0.block.3.running_var',
      'down_path.0.block.3.num_batches_tracked',
    ]);
    expect(batchNorm.parameters.get('up_path.0.up.1.weight')!.shape).toEqual([1, 1, 16, 8]);
    expect(batchNorm.forward(randomImages(2, 8), { training: true }).xRec.shape).toEqual([2, 8, 8, 1]);
    expect(Array.from(batchNorm.buffers.get('down_path.0.block.3.running_mean')!.dataSync()).every((v) => v === 0)).toBe(true);
    batchNorm.dispose();

    const corrected = build({ ...TINY, norm: 'batch' }, 8, 'corrected');
    corrected.forward(randomImages(2, 8), { training: true });
    expect(Array.from(corrected.buffers.get('down_path.0.block.3.running_mean')!.dataSync()).some((v) => v !== 0)).toBe(true);
    corrected.dispose();

    const plain = build({ ...TINY, norm: 'none' }, 8);
    // Without norms the second conv of a block is module 4 (pad 0, conv 1, swish 2, pad 3).
    expect([...plain.parameters.keys()].slice(0, 4)).toEqual([
      'down_path.0.block.1.weight',
      'down_path.0.block.1.bias',
      'down_path.0.block.4.weight',
      'down_path.0.block.4.bias',
    ]);
    plain.dispose();
  });

  test('refuses padding: false and input sizes the down path cannot halve, naming the key', () => {
    expect(() => build({ ...TINY, padding: false }, 16)).toThrow(/model\.params\.padding: padding: false/);
    expect(() => build({ ...TINY, depth: 3 }, 18)).toThrow(/input height of 18 does not fit model\.params\.depth 3.*multiple of 4/);
    expect(() => build({ ...TINY, depth: 4 }, 8)).toThrow(/at least 16/);
  });
});
