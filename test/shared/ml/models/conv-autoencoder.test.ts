import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildConvAutoencoder, type ConvAutoencoderParams } from '../../../../shared/ml/models/conv-autoencoder.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { expectSigmoidForward, randomImages } from './model-checks.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

const TINY: ConvAutoencoderParams = { in_channels: 1, channels: [8, 16, 16], strides: [2, 2, 2], out_ch: 1, kernel_size: 3, norm: 'batch', act: 'swish', deconv_mode: 'stride' };

function build(params: ConvAutoencoderParams, inputSize: [number, number], mode: 'reference' | 'corrected' = 'reference', seed = 1): AutoencoderModel {
  return buildConvAutoencoder(params, { mode, random: new SeededRandom(seed), inputSize });
}

const parameterCount = (model: AutoencoderModel): number => [...model.parameters.values()].reduce((n, v) => n + v.size, 0);

describe('ConvAutoEncoder', () => {
  test('tiny stride model: 32×32 in, 32×32 sigmoid reconstruction out, 16×4×4 latent', () => {
    const model = build(TINY, [32, 32]);
    expect(expectSigmoidForward(model, 2, 32, [2, 4, 4, 16]).extras).toEqual({});
    model.dispose();
  });

  test('state_dict names and order follow the official Encoder/Decoder', () => {
    const model = build({ ...TINY, channels: [4, 8], strides: [2, 2, 2], deconv_mode: 'trans', kernel_size: 5 }, [16, 16]);
    expect([...model.parameters.keys()]).toEqual([
      ...[0, 1, 2].flatMap((i) => [`encoder.conv__encode_${i}.weight`, `encoder.conv__encode_${i}.bias`, `encoder.conv__batch_${i}.weight`, `encoder.conv__batch_${i}.bias`]),
      ...[0, 1, 2].flatMap((i) => [`decoder.conv__decode_${i}.weight`, `decoder.conv__decode_${i}.bias`, `decoder.conv__batch_${i}.weight`, `decoder.conv__batch_${i}.bias`]),
      'decoder.conv__decode_final.weight',
      'decoder.conv__decode_final.bias',
    ]);
    // One more stride than channels: the last channel count is used twice (8→8), as in AE-S.
    expect(model.parameters.get('encoder.conv__encode_2.weight')!.shape).toEqual([5, 5, 8, 8]);
    // ConvTranspose2d weights: TF.js (k, k, out, in); decoder channels 8→8→4→4.
    expect(model.parameters.get('decoder.conv__decode_1.weight')!.shape).toEqual([5, 5, 4, 8]);
    const out = model.forward(randomImages(1, 16), { training: false });
    expect(out.xRec.shape).toEqual([1, 16, 16, 1]);
    expect(out.z!.shape).toEqual([1, 2, 2, 8]);
    model.dispose();
  });

  test('reference "leakyrelu" + frozen BN make the network affine up to the sigmoid; corrected mode does not', () => {
    const params: ConvAutoencoderParams = { ...TINY, act: 'leakyrelu', deconv_mode: 'trans' };
    const logit = (p: tf.Tensor): tf.Tensor => tf.log(tf.div(p, tf.sub(1, p)));
    const midpointError = (model: AutoencoderModel): number =>
      tf.tidy(() => {
        const a = randomImages(1, 32, 1);
        const b = tf.mul(randomImages(1, 32, 2), -4) as tf.Tensor4D;
        const f = (x: tf.Tensor4D): tf.Tensor => logit(model.forward(x, { training: false }).xRec);
        const gap = tf.sub(f(tf.div(tf.add(a, b), 2) as tf.Tensor4D), tf.div(tf.add(f(a), f(b)), 2));
        return tf.max(tf.abs(gap)).dataSync()[0];
      });
    const reference = build(params, [32, 32], 'reference');
    const corrected = build(params, [32, 32], 'corrected');
    expect(midpointError(reference)).toBeLessThan(1e-5);
    expect(midpointError(corrected)).toBeGreaterThan(1e-4);
    reference.dispose();
    corrected.dispose();
  });

  test('BatchNorm running statistics move in corrected training only', () => {
    const runningMean = (model: AutoencoderModel): number[] => Array.from(model.buffers.get('encoder.conv__batch_0.running_mean')!.dataSync());
    for (const [mode, changes] of [
      ['reference', false],
      ['corrected', true],
    ] as const) {
      const model = build(TINY, [32, 32], mode);
      const before = runningMean(model);
      tf.dispose(Object.values(model.forward(randomImages(2, 32), { training: true })));
      expect(runningMean(model).some((v, i) => v !== before[i])).toBe(changes);
      model.dispose();
    }
  });

  test('explicit options override the mode defaults', () => {
    const model = build({ ...TINY, batchnorm: 'frozen' }, [32, 32], 'corrected');
    const before = Array.from(model.buffers.get('encoder.conv__batch_0.running_mean')!.dataSync());
    model.forward(randomImages(2, 32), { training: true });
    expect(Array.from(model.buffers.get('encoder.conv__batch_0.running_mean')!.dataSync())).toEqual(before);
    model.dispose();
  });

  test('init comes from the seed', () => {
    const weights = (seed: number): number[] => {
      const model = build(TINY, [32, 32], 'reference', seed);
      const values = Array.from(model.parameters.get('encoder.conv__encode_1.weight')!.dataSync());
      model.dispose();
      return values;
    };
    expect(weights(4)).toEqual(weights(4));
    expect(weights(4)).not.toEqual(weights(5));
  });

  test('every parameter gets a gradient', () => {
    const model = build(TINY, [32, 32], 'corrected');
    const x = randomImages(2, 32);
    const { grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(model.forward(x, { training: true }).xRec, x))) as tf.Scalar, [...model.parameters.values()]);
    expect(Object.keys(grads)).toHaveLength(model.parameters.size);
    model.dispose();
  });

  test('an input size the strides cannot reproduce is refused, naming the params', () => {
    expect(() => build(TINY, [30, 30])).toThrow(/input height of 30 .*model.params.strides \[2, 2, 2\].*divisible by 8/);
  });

  test('parameter counts of the official configs (docs/models.md §16)', () => {
    const counts = (params: ConvAutoencoderParams, size: number): number => {
      const model = build(params, [size, size]);
      const n = parameterCount(model);
      model.dispose();
      return n;
    };
    const common = { in_channels: 1, out_ch: 1, norm: 'batch' } as const;
    expect(counts({ ...common, channels: [16, 32, 64, 128, 256, 256, 256], strides: [2, 2, 2, 2, 2, 2, 2], kernel_size: 3, act: 'swish', deconv_mode: 'stride' }, 128)).toBe(
      3_738_689,
    );
    expect(counts({ ...common, channels: [32, 64, 128], strides: [2, 2, 2, 2], kernel_size: 5, act: 'leakyrelu', deconv_mode: 'trans' }, 128)).toBe(1_359_457);
    expect(counts({ ...common, channels: [16, 32, 64], strides: [2, 2, 2], kernel_size: 3, act: 'swish', deconv_mode: 'stride' }, 64)).toBe(83_777);
  });
});
