import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildAae, type AaeParams, type AdversarialAutoencoder } from '../../../../shared/ml/models/aae.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { expectSigmoidForward, randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

const TINY: AaeParams = { z_dim: 8, d: 4 };

function build(params: AaeParams, size: number, mode: 'reference' | 'corrected' = 'reference'): AdversarialAutoencoder {
  return buildAae(params, { mode, random: new SeededRandom(1), inputSize: [size, size] });
}

const count = (variables: ReadonlyMap<string, tf.Variable>): number => [...variables.values()].reduce((n, v) => n + v.size, 0);
const std = (v: tf.Variable): number => tf.tidy(() => tf.sqrt(tf.moments(v).variance).dataSync()[0]);
const maxAbs = (v: tf.Variable): number => tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0]);

describe('AAE (Pidhorskyi GPND)', () => {
  test('the official 128×128 config has the official parameter counts per sub-network (docs/models.md §10.1)', () => {
    const model = build({ d: 64, extra_layers: 2, z_dim: 256 }, 128);
    try {
      const { E, G, D, ZD } = model.subnetworkParameters;
      expect([count(E), count(G), count(D), count(ZD)]).toEqual([2_493_632, 3_150_465, 793_153, 49_537]);
      expect(count(model.parameters)).toBe(6_486_787);
      expect(count(E) + count(G)).toBe(5_644_097);
      expect(count(model.buffers)).toBe(4_109);
      // E, G, ZD, D: the official construction order, which is the state_dict order.
      const names = [...model.parameters.keys()];
      expect([names[0], names[names.length - 1]]).toEqual(['E.conv1_1.weight', 'D.conv4.bias']);
      expect(names.findIndex((n) => n.startsWith('ZD.'))).toBeLessThan(names.findIndex((n) => n.startsWith('D.')));
    } finally {
      model.dispose();
    }
  });

  test('32×32 with extra_layers 0: G(E(x)) in (0, 1) and z = E(x) of [batch, 1, 1, z_dim]', () => {
    const model = build(TINY, 32);
    expectSigmoidForward(model, 2, 32, [2, 1, 1, 8]);
    model.dispose();
  });

  test('the layers of unused extra levels exist but do not run, as officially', () => {
    const model = build({ ...TINY, extra_layers: 1 }, 64);
    const x = randomImages(2, 64);
    const z = () => tf.tidy(() => Array.from(model.encode(x, { training: false }).dataSync()));
    const before = z();
    const scramble = (name: string) => tf.tidy(() => model.parameters.get(name)!.assign(tf.randomNormal(model.parameters.get(name)!.shape)));
    scramble('E.conv1_3.weight');
    expect(z()).toEqual(before);
    scramble('E.conv1_2.weight');
    expect(z()).not.toEqual(before);
    model.dispose();
  });

  test('BatchNorm trains normally: batch statistics and running-statistics updates when training, running statistics otherwise', () => {
    const model = build(TINY, 32);
    const x = randomImages(4, 32);
    const evaluate = () => tf.tidy(() => Array.from(model.forward(x, { training: false }).xRec.dataSync()));
    const first = evaluate();
    expect(evaluate()).toEqual(first);
    const tracked = () => model.buffers.get('G.deconv2_bn.num_batches_tracked')!.dataSync()[0];
    expect(tracked()).toBe(0);
    tf.tidy(() => void model.forward(x, { training: true }));
    expect(tracked()).toBe(1);
    expect(evaluate()).not.toEqual(first);
    model.dispose();
  });

  test('reference init: only ZD gets N(0, 0.02) with zero bias; corrected (normal_init all) gives it to every layer', () => {
    const reference = build({ d: 16, z_dim: 64 }, 32);
    expect(std(reference.parameters.get('ZD.linear1.weight')!)).toBeCloseTo(0.02, 2);
    expect(maxAbs(reference.parameters.get('ZD.linear2.bias')!)).toBe(0);
    // E keeps PyTorch's default U(±1/√fan_in): fan_in 16·4·4 → bound 1/16, std bound/√3.
    expect(maxAbs(reference.parameters.get('E.conv2.weight')!)).toBeLessThanOrEqual(1 / 16);
    expect(std(reference.parameters.get('E.conv2.weight')!)).toBeCloseTo(1 / 16 / Math.sqrt(3), 2);
    expect(maxAbs(reference.parameters.get('G.deconv2.bias')!)).toBeGreaterThan(0);
    reference.dispose();

    const corrected = build({ d: 16, z_dim: 64 }, 32, 'corrected');
    for (const name of ['E.conv2.weight', 'G.deconv2.weight', 'D.conv3.weight', 'ZD.linear1.weight']) {
      expect(std(corrected.parameters.get(name)!), name).toBeCloseTo(0.02, 2);
    }
    expect(maxAbs(corrected.parameters.get('G.deconv2.bias')!)).toBe(0);
    corrected.dispose();
  });

  test('cross_batch: ZD judges a whole batch of batchSize codes at once', () => {
    const model = build({ ...TINY, cross_batch: true, batchSize: 3 }, 32);
    expect(model.parameters.get('ZD.linear2.weight')!.shape).toEqual([8 * 3, 8]);
    const p = model.discriminateLatent(tf.zeros([3, 8]));
    expect(p.shape).toEqual([1]);
    expect(() => model.discriminateLatent(tf.zeros([2, 8]))).toThrow(/exactly model\.params\.batchSize = 3 codes, got 2/);
    model.dispose();
  });

  test('a target size that does not fit extra_layers is refused, naming the parameter', () => {
    expect(() => build(TINY, 64)).toThrow(/model\.params\.extra_layers: extra_layers 0 builds the AAE for 32×32 images .* 64×64/);
    expect(() => build({ ...TINY, extra_layers: 3 }, 256)).toThrow(/model\.params\.extra_layers/);
    expect(() => build({ d: 4 } as AaeParams, 32)).toThrow(/model\.params\.z_dim/);
  });

  test('configs/experiments/cxr/aae.yaml loads as the official AAE with the aae trainer', () => {
    const file = path.resolve(import.meta.dirname, '../../../../configs/experiments/cxr/aae.yaml');
    const { config } = loadExperimentConfigFile(file);
    expect(config.model).toEqual({ name: 'aae', params: { d: 64, extra_layers: 2, z_dim: 256 } });
    expect(() => validateModelParams(config.model)).not.toThrow();
    expect(config.trainer.name).toBe('aae');
    expect(config.trainer.params).toMatchObject({ nrEpochs: 500, lr: 5e-4, lrScheduler: 'none' });
    expect(config.trainer.dataLoader).toMatchObject({ targetSize: [128, 128], batchSize: 128 });
    expect(config.experiment.weights).toBeNull();
  });
});
