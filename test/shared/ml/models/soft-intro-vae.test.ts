import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { buildSoftIntroVae, type SoftIntroVae, type SoftIntroVaeParams } from '../../../../shared/ml/models/soft-intro-vae.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

const TINY: SoftIntroVaeParams = { cdim: 1, zdim: 8, channels: [8, 16, 16], image_size: 32 };
const CXR: SoftIntroVaeParams = { cdim: 1, zdim: 128, channels: [64, 128, 256, 512, 512], image_size: 128, conditional: false };

function build(params: SoftIntroVaeParams, mode: 'reference' | 'corrected' = 'reference', seed = 1): SoftIntroVae {
  const size = params.image_size ?? 256;
  return buildSoftIntroVae(params, { mode, random: new SeededRandom(seed), inputSize: [size, size] });
}

const count = (variables: ReadonlyMap<string, tf.Variable>): number => [...variables.values()].reduce((n, v) => n + v.size, 0);
const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('SoftIntroVAE', () => {
  test('the CXR configuration: 29,955,073 parameters with the `is not` quirk, 29,430,785 without (docs/models.md §10.2, §16)', () => {
    const reference = build(CXR);
    expect(count(reference.parameters)).toBe(29_955_073);
    expect(count(reference.encoderParameters)).toBe(16_623_040);
    expect(count(reference.decoderParameters)).toBe(13_332_033);
    expect(count(reference.buffers)).toBe(13_975);
    const expands = [...reference.parameters.keys()].filter((name) => name.endsWith('conv_expand.weight'));
    expect(expands).toEqual([
      'encoder.main.res_in_64.conv_expand.weight',
      'encoder.main.res_in_32.conv_expand.weight',
      'encoder.main.res_in_16.conv_expand.weight',
      'encoder.main.res_in_8.conv_expand.weight',
      'decoder.main.res_in_8.conv_expand.weight',
      'decoder.main.res_in_16.conv_expand.weight',
      'decoder.main.res_in_32.conv_expand.weight',
      'decoder.main.res_in_64.conv_expand.weight',
    ]);
    reference.dispose();
    for (const model of [build(CXR, 'corrected'), build({ ...CXR, identity_shortcut_quirk: false })]) {
      expect(count(model.parameters)).toBe(29_430_785);
      expect(model.parameters.has('encoder.main.res_in_8.conv_expand.weight')).toBe(false);
      model.dispose();
    }
  });

  test('the quirk follows CPython: equal counts up to 256 are one cached int, larger ones from two entries are not', () => {
    const expands = (channels: number[]) => {
      const model = build({ cdim: 1, zdim: 4, channels, image_size: 8 });
      const names = [...model.parameters.keys()].filter((name) => name.endsWith('conv_expand.weight'));
      model.dispose();
      return names;
    };
    expect(expands([4, 256, 256])).toEqual(['encoder.main.res_in_4.conv_expand.weight', 'decoder.main.res_in_16.conv_expand.weight']);
    expect(expands([4, 257, 257])).toEqual([
      'encoder.main.res_in_4.conv_expand.weight',
      'encoder.main.res_in_2.conv_expand.weight',
      'decoder.main.res_in_8.conv_expand.weight',
      'decoder.main.res_in_16.conv_expand.weight',
    ]);
  });

  test('state_dict names and order follow the official module tree (tiny 32×32 model)', () => {
    const model = build(TINY);
    const block = (name: string, expand: boolean) => [
      ...(expand ? [`${name}.conv_expand.weight`] : []),
      `${name}.conv1.weight`,
      `${name}.bn1.weight`,
      `${name}.bn1.bias`,
      `${name}.conv2.weight`,
      `${name}.bn2.weight`,
      `${name}.bn2.bias`,
    ];
    expect([...model.parameters.keys()]).toEqual([
      'encoder.main.0.weight',
      'encoder.main.1.weight',
      'encoder.main.1.bias',
      ...block('encoder.main.res_in_16', true),
      ...block('encoder.main.res_in_8', false),
      ...block('encoder.main.res_in_4', false),
      'encoder.fc.weight',
      'encoder.fc.bias',
      'decoder.fc.0.weight',
      'decoder.fc.0.bias',
      ...block('decoder.main.res_in_4', false),
      ...block('decoder.main.res_in_8', false),
      ...block('decoder.main.res_in_16', true),
      ...block('decoder.main.res_in_32', false),
      'decoder.main.predict.weight',
      'decoder.main.predict.bias',
    ]);
    // Linear 16·4·4 → 2·zdim, stored (in, out) in TF.js.
    expect(model.parameters.get('encoder.fc.weight')!.shape).toEqual([256, 16]);
    model.dispose();
  });

  test('evaluation decodes mu and returns z_mu and z_logvar; training samples z', () => {
    const model = build(TINY);
    tf.tidy(() => {
      const x = randomImages(2, 32);
      const out = model.forward(x, { training: false });
      expect(out.xRec.shape).toEqual([2, 32, 32, 1]);
      expect(out.extras.z_mu.shape).toEqual([2, 8]);
      expect(out.extras.z_logvar.shape).toEqual([2, 8]);
      expect(values(out.z!)).toEqual(values(out.extras.z_mu));
      const latent = model.encode(x, false);
      expect(values(out.xRec)).toEqual(values(model.decode(latent.mu, false)));
      expect(values(model.forward(x, { training: false }).xRec)).toEqual(values(out.xRec));
      const pixels = values(out.xRec);
      expect(Math.min(...pixels)).toBeGreaterThan(0);
      expect(Math.max(...pixels)).toBeLessThan(1);

      const sampled = (seed: number) => model.forward(x, { training: true, random: new SeededRandom(seed) });
      expect(values(sampled(1).xRec)).toEqual(values(sampled(1).xRec));
      expect(values(sampled(1).z!)).not.toEqual(values(out.z!));
      expect(values(sampled(1).xRec)).not.toEqual(values(sampled(2).xRec));
    });
    model.dispose();
  });

  test('sample_at_eval: true samples at evaluation too, as the official forward() does', () => {
    const model = build({ ...TINY, sample_at_eval: true });
    tf.tidy(() => {
      const x = randomImages(1, 32);
      const first = values(model.forward(x, { training: false }).xRec);
      expect(values(model.forward(x, { training: false }).xRec)).not.toEqual(first);
    });
    model.dispose();
  });

  test('BatchNorm statistics move in corrected training only', () => {
    const runningMean = (model: SoftIntroVae): number[] => values(model.buffers.get('decoder.main.res_in_8.bn1.running_mean')!);
    for (const [mode, changes] of [
      ['reference', false],
      ['corrected', true],
    ] as const) {
      const model = build(TINY, mode);
      const before = runningMean(model);
      tf.tidy(() => void model.forward(randomImages(2, 32), { training: true }));
      expect(runningMean(model).some((v, i) => v !== before[i])).toBe(changes);
      model.dispose();
    }
  });

  test('every parameter gets a gradient through encode, sample and decode', () => {
    const model = build(TINY, 'corrected');
    const x = randomImages(2, 32);
    const { grads } = tf.variableGrads(
      () => tf.mean(tf.square(tf.sub(model.forward(x, { training: true }).xRec, x))) as tf.Scalar,
      [...model.parameters.values()],
    );
    expect(Object.keys(grads)).toHaveLength(model.parameters.size);
    tf.dispose([x, ...Object.values(grads)]);
    model.dispose();
  });

  test('bad parameters and sizes are refused with the key that is wrong', () => {
    const validate = (params: Record<string, unknown>) => () => validateModelParams({ name: 'soft_intro_vae', params });
    expect(validate({ ...TINY, image_size: 36 })).toThrow(/model\.params\.image_size: 36 is not divisible by 8/);
    expect(validate({ ...TINY, conditional: true })).toThrow(/model\.params\.conditional: .*not ported/);
    expect(validate({ ...TINY, chanels: [8] })).toThrow(/model\.params\.chanels: unknown parameter/);
    expect(() => buildSoftIntroVae(TINY, { mode: 'reference', random: new SeededRandom(1), inputSize: [64, 64] })).toThrow(
      /model\.params\.image_size: 32, but the images are 64×64/,
    );
    const model = build(TINY);
    expect(() => model.forward(randomImages(1, 16), { training: false })).toThrow(/expected an NHWC batch of 32×32×1 images/);
    model.dispose();
  });
});
