import * as tf from '@tensorflow/tfjs-core';
import { checkInputChannels } from './check-input-channels.ts';
import { z } from 'zod';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import { makeActivation } from '../layers/activation.ts';
import type { BatchNormMode } from '../layers/batch-norm2d.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { ConvDecoder, type ConvDecoderOptions } from './conv-decoder.ts';
import { ConvEncoder, type ConvEncoderOptions } from './conv-encoder.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

const positiveInt = z.number().int().positive();

/**
 * The keys of the official `Encoder`/`Decoder` pair as a model's params carry them (also
 * MorphAEus's, which extends them). Keys as in the official YAML.
 */
export const convAutoencoderParamsShape = {
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
  /** `leakyrelu` is the identity in reference mode (docs/models.md §2.1); default swish. */
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
};

type ConvAutoencoderShapeOutput = z.output<z.ZodObject<typeof convAutoencoderParamsShape>>;

/** The cross-key rules of `convAutoencoderParamsShape` (strides against channels, `trans` strides). */
export function checkConvAutoencoderParams(params: ConvAutoencoderShapeOutput, ctx: z.RefinementCtx): void {
  const { channels, strides } = params;
  if (strides.length < channels.length || strides.length > channels.length + 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['strides'],
      message: `expected ${channels.length} or ${channels.length + 1} strides for ${channels.length} channels, got ${strides.length}`,
    });
    // Either key may be the one the user got wrong, so the config error names both.
    ctx.addIssue({
      code: 'custom',
      path: ['channels'],
      message: `${channels.length} channels do not match the ${strides.length} strides: give one channel count per stride (the last stride may stand alone)`,
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
}

/**
 * `model.params` of the official `ConvAutoEncoder` (model_zoo/convolutional_autoencoders.py):
 * AE-S, the MorphAEus-woPLM baseline and AE-x. Keys as in the official YAML.
 */
export const convAutoencoderParamsSchema = z.strictObject(convAutoencoderParamsShape).superRefine(checkConvAutoencoderParams);

/** What a config may write: the official keys, most of them optional. */
export type ConvAutoencoderParams = z.input<typeof convAutoencoderParamsSchema>;

/**
 * The official Encoder and Decoder options for parsed params: names under `encoder.conv_`
 * and `decoder.conv_`, BatchNorm and "leakyrelu" per mode (§2.1, §11.4).
 */
export function convEncoderDecoderOptions(
  p: ConvAutoencoderShapeOutput,
  mode: 'reference' | 'corrected',
): { encoder: ConvEncoderOptions; decoder: ConvDecoderOptions } {
  const reference = mode === 'reference';
  const batchNormMode: BatchNormMode = p.batchnorm ?? (reference ? 'frozen' : 'train');
  const batchNorm = p.norm === 'batch' ? batchNormMode : null;
  const activation = makeActivation(p.act, p.leakyrelu_slope ?? (reference ? 1 : 0.01));
  const common = { channels: p.channels, strides: p.strides, kernelSize: p.kernel_size, batchNorm, activation };
  return {
    encoder: { ...common, prefix: 'encoder.conv_', inChannels: p.in_channels },
    decoder: {
      ...common,
      prefix: 'decoder.conv_',
      inChannels: p.channels[p.channels.length - 1],
      outChannels: p.out_ch,
      deconvMode: p.deconv_mode,
    },
  };
}

/**
 * The official ConvAutoEncoder (docs/models.md §2.1, §2.2): an Encoder of strided convs,
 * each followed by BN and the activation, and a Decoder mirroring it, then a 1×1 conv
 * and a sigmoid. `z` is the encoder output (spatial, e.g. 256×1×1 or 128×8×8).
 *
 * The reconstruction must come out at the input size.
 */
export function buildConvAutoencoder(params: ConvAutoencoderParams, options: BuildModelOptions): AutoencoderModel {
  const p = parseModelParams('conv_autoencoder', convAutoencoderParamsSchema, params);
  const stack = convEncoderDecoderOptions(p, options.mode);
  checkOutputSize('conv_autoencoder', stack, options.inputSize);
  const store = new ParameterStore(options.random);
  const encoder = new ConvEncoder(store, stack.encoder);
  const decoder = new ConvDecoder(store, stack.decoder);
  return new ConvAutoencoder(store, 'conv_autoencoder', p.in_channels, encoder, decoder);
}

/** What sits between the encoder and the decoder: the latent it reports as `z`, and the map the decoder reads. */
export interface Bottleneck {
  apply(encoded: tf.Tensor4D): { z: tf.Tensor; decoderInput: tf.Tensor4D };
}

/** The official Encoder → (bottleneck) → Decoder pair; without a bottleneck `z` is the encoder's output map. */
export class ConvAutoencoder extends StoredModel {
  constructor(
    store: ParameterStore,
    readonly name: string,
    private readonly inChannels: number,
    private readonly encoder: ConvEncoder,
    private readonly decoder: ConvDecoder,
    private readonly bottleneck: Bottleneck | null = null,
  ) {
    super(store);
  }

  forward(x: tf.Tensor4D, options: { training: boolean }): ModelOutputs {
    checkInputChannels(this.name, x, this.inChannels);
    return tf.tidy(() => {
      const encoded = this.encoder.apply(x, options.training);
      const { z, decoderInput } = this.bottleneck?.apply(encoded) ?? { z: encoded, decoderInput: encoded };
      return { xRec: this.decoder.apply(decoderInput, options.training), z, extras: {} };
    });
  }
}

/**
 * Fails early, naming the params, when the reconstruction would not match the input size.
 * `model` names the model in the message.
 */
export function checkOutputSize(
  model: string,
  stack: { encoder: ConvEncoderOptions; decoder: ConvDecoderOptions },
  inputSize: [number, number],
): void {
  const { strides, kernelSize: k } = stack.encoder;
  const levels = ConvEncoder.levelCount(stack.encoder);
  for (const [axis, n] of [['height', inputSize[0]], ['width', inputSize[1]]] as const) {
    const sizes = sizesThrough(stack, n);
    if (!reconstructs(sizes)) {
      // The kernel is to blame when the same strides give the size back with the default kernel of 3.
      const withDefaultKernel = sizesThrough({ encoder: { ...stack.encoder, kernelSize: 3 }, decoder: { ...stack.decoder, kernelSize: 3 } }, n);
      throw shapePlanError(
        model,
        k !== 3 && reconstructs(withDefaultKernel) ? 'model.params.kernel_size' : 'model.params.strides',
        `an input ${axis} of ${n} goes through sizes ${sizes.join(' → ')} with ` +
          `model.params.strides [${strides.join(', ')}] and model.params.kernel_size ${k}; ` +
          `the reconstruction must be ${n} again (use a target_size divisible by ${strides.slice(0, levels).reduce((a, b) => a * b, 1)})`,
      );
    }
  }
}

/** The size of one axis at the input, after each encoder level and after each decoder level. */
function sizesThrough(stack: { encoder: ConvEncoderOptions; decoder: ConvDecoderOptions }, n: number): number[] {
  const down = ConvEncoder.levelSizes(stack.encoder, n);
  return [n, ...down, ...ConvDecoder.levelSizes(stack.decoder, down[down.length - 1])];
}

function reconstructs(sizes: number[]): boolean {
  return sizes.every((size) => size >= 1) && sizes[sizes.length - 1] === sizes[0];
}
