import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import { makeActivation, type Activation } from '../layers/activation.ts';
import { BatchNorm2d, type BatchNormMode } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { upsampleBilinear } from '../layers/upsample-bilinear.ts';
import type { SeededRandom } from '../random.ts';
import { parseModelParams } from './model-params-error.ts';

const positiveInt = z.number().int().positive();

/**
 * `model.params` of the official `ConvAutoEncoder` (model_zoo/convolutional_autoencoders.py):
 * AE-S, the MorphAEus-woPLM baseline and AE-x. Keys as in the official YAML.
 */
export const convAutoencoderParamsSchema = z
  .strictObject({
    /** Input image channels; default 1. */
    in_channels: positiveInt.default(1),
    /** Channels per encoder level, e.g. [16, 32, 64, 128, 256, 256, 256]. Required. */
    channels: z.array(positiveInt).min(1),
    /**
     * Stride per level; as many as `channels`, or one more (the last channel count is
     * then used twice, as AE-S does). Required.
     */
    strides: z.array(positiveInt).min(1),
    /** Output image channels; default 1. */
    out_ch: positiveInt.default(1),
    /** Square kernel size k; padding is (k−1)//2. Default 3. */
    kernel_size: positiveInt.default(3),
    /** `batch` adds BatchNorm2d after every conv; default batch. */
    norm: z.enum(['batch', 'none']).default('batch'),
    /** `leakyrelu` is the identity in reference mode (MORPHAEUS.md §2.1); default swish. */
    act: z.enum(['swish', 'relu', 'leakyrelu']).default('swish'),
    /**
     * Decoder upsampling: `stride` (bilinear ×s, align_corners=True, then conv), `upsample`
     * (the same in the decoder; the official encoder would add a MaxPool whose indices
     * break its Sequential, so here it keeps the strided conv of `stride`), or `trans`
     * (ConvTranspose2d, output_padding 1). Default stride.
     */
    deconv_mode: z.enum(['stride', 'upsample', 'trans']).default('stride'),
    /**
     * Ours. BatchNorm behaviour (see BatchNormMode): default `frozen` in reference mode
     * (the official model trains in eval mode), `train` in corrected mode.
     */
    batchnorm: z.enum(['frozen', 'train']).optional(),
    /**
     * Ours. Negative slope of `act: leakyrelu`: default 1.0 (identity, the official
     * `nn.LeakyReLU(True)`) in reference mode, 0.01 (PyTorch's LeakyReLU default) in
     * corrected mode.
     */
    leakyrelu_slope: z.number().finite().optional(),
    /** Official options that every config leaves off; only `false` is supported. */
    bottleneck: z.literal(false).optional(),
    skip: z.literal(false).optional(),
    /** Accepted and ignored, as in the official code: the output is always a sigmoid. */
    act_final: z.string().optional(),
  })
  .superRefine((params, ctx) => {
    const { channels, strides } = params;
    if (strides.length < channels.length || strides.length > channels.length + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['strides'],
        message: `expected ${channels.length} or ${channels.length + 1} strides for ${channels.length} channels, got ${strides.length}`,
      });
    }
    if (params.deconv_mode === 'trans') {
      strides.forEach((stride, i) => {
        if (stride < 2) {
          ctx.addIssue({
            code: 'custom',
            path: ['strides', i],
            message: 'deconv_mode trans needs strides of at least 2 (ConvTranspose2d output_padding 1 must be smaller than the stride)',
          });
        }
      });
    }
  });

/** What a config may write: the official keys, most of them optional. */
export type ConvAutoencoderParams = z.input<typeof convAutoencoderParamsSchema>;

export interface BuildConvAutoencoderOptions {
  /** `reference` reproduces the official quirks; `corrected` switches them off (see the params). */
  mode: 'reference' | 'corrected';
  /** Draws the initial weights. */
  random: SeededRandom;
  /** Input [height, width]; the reconstruction must come out the same size. */
  inputSize: [number, number];
}

interface EncoderLevel {
  conv: Conv2d;
  norm: BatchNorm2d | undefined;
}

interface DecoderLevel {
  upsample: number | undefined;
  conv: Conv2d | ConvTranspose2d;
  norm: BatchNorm2d | undefined;
}

/**
 * The official ConvAutoEncoder (MORPHAEUS.md §2.1, §2.2): an Encoder of strided convs,
 * each followed by BN and the activation, and a Decoder mirroring it, then a 1×1 conv
 * and a sigmoid. `z` is the encoder output (spatial, e.g. 256×1×1 or 128×8×8).
 */
export function buildConvAutoencoder(params: ConvAutoencoderParams, options: BuildConvAutoencoderOptions): AutoencoderModel {
  const p = parseModelParams('conv_autoencoder', convAutoencoderParamsSchema, params);
  const reference = options.mode === 'reference';
  const batchNormMode: BatchNormMode = p.batchnorm ?? (reference ? 'frozen' : 'train');
  const activation = makeActivation(p.act, p.leakyrelu_slope ?? (reference ? 1 : 0.01));
  const k = p.kernel_size;
  const padding = Math.floor((k - 1) / 2);
  checkOutputSize(p, options.inputSize);

  const store = new ParameterStore(options.random);
  const norm = (name: string, numFeatures: number): BatchNorm2d | undefined =>
    p.norm === 'batch' ? new BatchNorm2d(store, name, { numFeatures, mode: batchNormMode }) : undefined;

  // Encoder: channels + [channels[-1]] zipped with strides.
  const encoderChannels = [...p.channels, p.channels[p.channels.length - 1]];
  const encoder: EncoderLevel[] = [];
  let c = p.in_channels;
  for (let i = 0; i < Math.min(encoderChannels.length, p.strides.length); i++) {
    const out = encoderChannels[i];
    const conv = new Conv2d(store, `encoder.conv__encode_${i}`, {
      inChannels: c,
      outChannels: out,
      kernelSize: k,
      stride: p.strides[i],
      padding,
    });
    encoder.push({ conv, norm: norm(`encoder.conv__batch_${i}`, out) });
    c = out;
  }

  // Decoder: reversed(channels) + [channels[0]] zipped with reversed strides.
  const decoderChannels = [...p.channels].reverse().concat(p.channels[0]);
  const decoderStrides = [...p.strides].reverse();
  const decoder: DecoderLevel[] = [];
  for (let i = 0; i < Math.min(decoderChannels.length, decoderStrides.length); i++) {
    const out = decoderChannels[i];
    const stride = decoderStrides[i];
    const name = `decoder.conv__decode_${i}`;
    const level =
      p.deconv_mode === 'trans'
        ? { upsample: undefined, conv: new ConvTranspose2d(store, name, { inChannels: c, outChannels: out, kernelSize: k, stride, padding, outputPadding: 1 }) }
        : { upsample: stride, conv: new Conv2d(store, name, { inChannels: c, outChannels: out, kernelSize: k, padding }) };
    decoder.push({ ...level, norm: norm(`decoder.conv__batch_${i}`, out) });
    c = out;
  }
  const final = new Conv2d(store, 'decoder.conv__decode_final', { inChannels: c, outChannels: p.out_ch, kernelSize: 1 });

  return new ConvAutoencoder(store, p.in_channels, encoder, decoder, final, activation);
}

class ConvAutoencoder implements AutoencoderModel {
  readonly name = 'conv_autoencoder';
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  readonly buffers: ReadonlyMap<string, tf.Variable>;

  constructor(
    private readonly store: ParameterStore,
    private readonly inChannels: number,
    private readonly encoder: readonly EncoderLevel[],
    private readonly decoder: readonly DecoderLevel[],
    private readonly final: Conv2d,
    private readonly activation: Activation,
  ) {
    this.parameters = store.parameters;
    this.buffers = store.buffers;
  }

  forward(x: tf.Tensor4D, options: { training: boolean }): ModelOutputs {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new Error(`conv_autoencoder: expected an NHWC batch with ${this.inChannels} channel(s), got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let h = x;
      for (const level of this.encoder) {
        h = level.conv.apply(h);
        if (level.norm) h = level.norm.apply(h, options.training);
        h = this.activation(h);
      }
      const z = h;
      for (const level of this.decoder) {
        if (level.upsample !== undefined) h = upsampleBilinear(h, level.upsample);
        h = level.conv.apply(h);
        if (level.norm) h = level.norm.apply(h, options.training);
        h = this.activation(h);
      }
      const xRec = tf.sigmoid(this.final.apply(h));
      return { xRec, z, extras: {} };
    });
  }

  dispose(): void {
    this.store.dispose();
  }
}

type ParsedParams = z.output<typeof convAutoencoderParamsSchema>;

/** Fails early, naming the params, when the reconstruction would not match the input size. */
function checkOutputSize(p: ParsedParams, inputSize: [number, number]): void {
  const k = p.kernel_size;
  const pad = Math.floor((k - 1) / 2);
  const levels = Math.min(p.channels.length + 1, p.strides.length);
  const trace = (n: number): number[] => {
    const sizes = [n];
    for (let i = 0; i < levels; i++) sizes.push(Math.floor((sizes[sizes.length - 1] + 2 * pad - k) / p.strides[i]) + 1);
    const reversed = [...p.strides].reverse();
    for (let i = 0; i < levels; i++) {
      const m = sizes[sizes.length - 1];
      const s = reversed[i];
      sizes.push(p.deconv_mode === 'trans' ? (m - 1) * s - 2 * pad + k + 1 : Math.floor(m * s) + 2 * pad - k + 1);
    }
    return sizes;
  };
  for (const [axis, n] of [['height', inputSize[0]], ['width', inputSize[1]]] as const) {
    const sizes = trace(n);
    const out = sizes[sizes.length - 1];
    if (sizes.some((size) => size < 1) || out !== n) {
      throw new Error(
        `conv_autoencoder: an input ${axis} of ${n} goes through sizes ${sizes.join(' → ')} with ` +
          `model.params.strides [${p.strides.join(', ')}] and model.params.kernel_size ${k}; ` +
          `the reconstruction must be ${n} again (use a target_size divisible by ${p.strides.slice(0, levels).reduce((a, b) => a * b, 1)})`,
      );
    }
  }
}
