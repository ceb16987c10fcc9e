import * as tf from '@tensorflow/tfjs-core';
import { checkInputChannels } from './check-input-channels.ts';
import { z } from 'zod';
import type { AutoencoderModel, ForwardOptions, ModelOutputs } from '../autoencoder-model.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { randomNormalTensor } from '../random-normal-tensor.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

const positiveInt = z.number().int().positive();

/** PyTorch's `nn.LeakyReLU()` default, the activation of every hidden layer. */
const LEAKY_RELU_SLOPE = 0.01;

/**
 * `model.params` of the official Zimmerer/Hahn `VAE` (model_zoo/vae_hahn.py, docs/models.md §7).
 * The official constructor also takes PyTorch classes (conv_op, normalization_op, ...);
 * no config can write those, so only the defaults are built: no normalisation,
 * LeakyReLU(0.01), bias-free convs.
 */
export const vaeParamsSchema = z
  .strictObject({
    /** (channels, height, width) of the input, e.g. (1, 128, 128); must equal the data's target size. Required. */
    input_size: z.array(positiveInt).length(3),
    /** Encoder channels, coarsening by 2 per entry; the decoder mirrors them. At least 2 entries. Required. */
    h_size: z.array(positiveInt).min(2),
    /** Latent channels; the encoder outputs 2·z_dim (mu and log_std). Required. */
    z_dim: positiveInt,
    /**
     * The last encoder conv (and first decoder conv) spans the whole remaining map, giving
     * a 1×1 code; false caps that kernel at 4. Default true.
     */
    to_1x1: z.boolean().default(true),
    /**
     * Ours. Sample z ~ N(mu, std) in training. Default false in reference mode: the official
     * trainer leaves the model in eval mode (§11.4), so it trains with z = mu; true in
     * corrected mode. Evaluation always uses z = mu, as officially.
     */
    sample_in_training: z.boolean().optional(),
  })
  .superRefine((params, ctx) => {
    const [, height, width] = params.input_size;
    if (height !== width) {
      ctx.addIssue({ code: 'custom', path: ['input_size'], message: `only square images are supported, got ${height}×${width}` });
      return;
    }
    const levels = params.h_size.length;
    const factor = 2 ** levels;
    if (Math.floor(height / factor) < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['h_size'],
        message: `${levels} levels halve ${height} pixels ${levels} times to below 2 (the official "h_size to long"); use at most ${Math.max(1, Math.floor(Math.log2(height / 2)))} entries`,
      });
    } else if (height % factor !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['input_size'],
        message: `${height} is not divisible by 2^${levels} (one halving per h_size entry), so the reconstruction would not be ${height} pixels again`,
      });
    }
  });

/** What a config may write: the official keys. */
export type VaeParams = z.input<typeof vaeParamsSchema>;

/**
 * The Hahn VAE (docs/models.md §7): k4 s2 p1 convs with LeakyReLU down to a map of
 * side s = size / 2^len(h_size), a conv of kernel s (4 when to_1x1 is false) to
 * [mu | log_std], and a mirrored decoder of transposed convs with no output activation.
 * Returns std = exp(log_std) under `z_logvar`, as the official forward does (the name is
 * the official one, the value is not a log-variance); `log_std` holds the raw half.
 *
 * The input must equal `input_size`; the model's own sampling stream is forked from `random`.
 */
export function buildVae(params: VaeParams, options: BuildModelOptions): AutoencoderModel {
  const p = parseModelParams('vae', vaeParamsSchema, params);
  const [channels, height] = p.input_size;
  checkVaeInputSize(p, options.inputSize);
  const sampleInTraining = p.sample_in_training ?? options.mode === 'corrected';
  const side = height / 2 ** p.h_size.length;
  const edgeKernel = p.to_1x1 ? side : Math.min(4, side);
  const store = new ParameterStore(options.random);
  const halving = (name: string, inChannels: number, outChannels: number) =>
    new Conv2d(store, name, { inChannels, outChannels, kernelSize: 4, stride: 2, padding: 1, bias: false });
  const doubling = (name: string, inChannels: number, outChannels: number) =>
    new ConvTranspose2d(store, name, { inChannels, outChannels, kernelSize: 4, stride: 2, padding: 1, bias: false });

  const h = p.h_size;
  const encoder = {
    start: halving('encoder.start.conv', channels, h[0]),
    middle: h.slice(1).map((out, i) => halving(`encoder.middle_blocks.${i}.conv`, h[i], out)),
    end: new Conv2d(store, 'encoder.end.conv', { inChannels: h[h.length - 1], outChannels: 2 * p.z_dim, kernelSize: edgeKernel, bias: false }),
  };
  const d = [...h].reverse();
  const decoder = {
    start: new ConvTranspose2d(store, 'decoder.start.conv', { inChannels: p.z_dim, outChannels: d[0], kernelSize: edgeKernel, bias: false }),
    middle: d.slice(1).map((out, i) => doubling(`decoder.middle_blocks.${i}.conv`, d[i], out)),
    end: doubling('decoder.end.conv', d[d.length - 1], channels),
  };
  return new Vae(store, channels, p.z_dim, encoder, decoder, sampleInTraining, options.random.fork('vae.sample'));
}

interface VaeEncoder {
  start: Conv2d;
  middle: Conv2d[];
  end: Conv2d;
}

interface VaeDecoder {
  start: ConvTranspose2d;
  middle: ConvTranspose2d[];
  end: ConvTranspose2d;
}

class Vae extends StoredModel {
  readonly name = 'vae';

  constructor(
    store: ParameterStore,
    private readonly inChannels: number,
    private readonly zDim: number,
    private readonly encoder: VaeEncoder,
    private readonly decoder: VaeDecoder,
    private readonly sampleInTraining: boolean,
    private readonly ownRandom: SeededRandom,
  ) {
    super(store);
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ModelOutputs {
    checkInputChannels('vae', x, this.inChannels);
    const lrelu = (t: tf.Tensor4D): tf.Tensor4D => tf.leakyRelu(t, LEAKY_RELU_SLOPE);
    return tf.tidy(() => {
      let h = lrelu(this.encoder.start.apply(x));
      for (const conv of this.encoder.middle) h = lrelu(conv.apply(h));
      const encoded = this.encoder.end.apply(h);
      const [mu, logStd] = tf.split<tf.Tensor4D>(encoded, [this.zDim, this.zDim], 3);
      const std = tf.exp(logStd);
      const code: tf.Tensor4D =
        options.training && this.sampleInTraining
          ? tf.add<tf.Tensor4D>(mu, tf.mul(std, randomNormalTensor(options.random ?? this.ownRandom, mu.shape)))
          : mu;
      let g = lrelu(this.decoder.start.apply(code));
      for (const conv of this.decoder.middle) g = lrelu(conv.apply(g));
      const xRec = this.decoder.end.apply(g);
      return { xRec, z: code, extras: { z_mu: mu, z_logvar: std, log_std: logStd } };
    });
  }
}

/** `input_size` must be the data's size: the encoder's last conv is sized for it. */
export function checkVaeInputSize(p: { input_size: readonly number[] }, inputSize: [number, number]): void {
  const [, height, width] = p.input_size;
  if (height !== inputSize[0] || width !== inputSize[1]) {
    throw shapePlanError(
      'vae',
      'model.params.input_size',
      `(${p.input_size.join(', ')}) does not match the data's target_size [${inputSize.join(', ')}]`,
    );
  }
}
