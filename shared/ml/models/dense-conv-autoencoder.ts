import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { Linear } from '../layers/linear.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { type Bottleneck, checkConvAutoencoderParams, checkOutputSize, ConvAutoencoder, convAutoencoderParamsShape, convEncoderDecoderOptions } from './conv-autoencoder.ts';
import { ConvDecoder } from './conv-decoder.ts';
import { ConvEncoder } from './conv-encoder.ts';
import { parseModelParams } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

/** Channels of the 1×1 conv that squeezes the encoder output before it is flattened (official). */
const DENSE_CHANNELS = 16;
/** Length of the dense code z (official). */
const CODE_SIZE = 128;

/**
 * `model.params` of the official `DenseConvAutoEncoderBaur` (model_zoo/convolutional_autoencoders.py):
 * the ConvAutoEncoder keys, with that class's own defaults for kernel size, activation and
 * deconv mode.
 */
export const denseConvAutoencoderParamsSchema = z
  .strictObject({
    ...convAutoencoderParamsShape,
    /** Square kernel size k; padding is (k−1)//2. Default 5. */
    kernel_size: convAutoencoderParamsShape.kernel_size.unwrap().default(5),
    /** `leakyrelu` is the identity in reference mode (docs/models.md §2.1); default leakyrelu. */
    act: convAutoencoderParamsShape.act.unwrap().default('leakyrelu'),
    /** Decoder upsampling (see ConvAutoEncoder); default upsample. `cxr/ae-d.yaml` writes trans. */
    deconv_mode: convAutoencoderParamsShape.deconv_mode.unwrap().default('upsample'),
  })
  .superRefine(checkConvAutoencoderParams);

/** What a config may write: the official keys, most of them optional. */
export type DenseConvAutoencoderParams = z.input<typeof denseConvAutoencoderParamsSchema>;

/**
 * AE-D (docs/models.md §6): the ConvAutoEncoder's Encoder and Decoder with a dense
 * bottleneck between them, without activations or norms: Conv 1×1 → 16 channels,
 * flatten in PyTorch's C,H,W order, Linear → 128 (`z`), Linear back, reshape to 16×h×w,
 * Conv 1×1 → the encoder's channels. The official code hard-codes the flattened size
 * 1024 (16×8×8, a 128² input with four stride-2 levels); here it is 16·h·w of the actual
 * encoder output, the same at 128² and usable on smaller images.
 *
 * The modes differ in `batchnorm` and `leakyrelu_slope`; the reconstruction must come out at the input size.
 */
export function buildDenseConvAutoencoder(params: DenseConvAutoencoderParams, options: BuildModelOptions): AutoencoderModel {
  const p = parseModelParams('dense_conv_autoencoder', denseConvAutoencoderParamsSchema, params);
  const stack = convEncoderDecoderOptions(p, options.mode);
  checkOutputSize('dense_conv_autoencoder', stack, options.inputSize);
  const [height, width] = options.inputSize.map((n) => ConvEncoder.levelSizes(stack.encoder, n).at(-1)!);
  const flat = DENSE_CHANNELS * height * width;
  const latentChannels = p.channels[p.channels.length - 1];

  // state_dict order: encoder, decoder, then the bottleneck layers in the order the official __init__ creates them.
  const store = new ParameterStore(options.random);
  const encoder = new ConvEncoder(store, stack.encoder);
  const decoder = new ConvDecoder(store, stack.decoder);
  const bottleneck = new DenseBottleneck(
    new Conv2d(store, 'lin_enc', { inChannels: latentChannels, outChannels: DENSE_CHANNELS, kernelSize: 1 }),
    new Linear(store, 'lin_lay_enc', { inFeatures: flat, outFeatures: CODE_SIZE }),
    new Linear(store, 'lin_lay_dec', { inFeatures: CODE_SIZE, outFeatures: flat }),
    new Conv2d(store, 'lin_dec', { inChannels: DENSE_CHANNELS, outChannels: latentChannels, kernelSize: 1 }),
  );
  return new ConvAutoencoder(store, 'dense_conv_autoencoder', p.in_channels, encoder, decoder, bottleneck);
}

/** Conv 1×1 → flatten → Linear (`z`) → Linear → unflatten → Conv 1×1, without activations or norms. */
class DenseBottleneck implements Bottleneck {
  constructor(
    private readonly squeeze: Conv2d,
    private readonly toCode: Linear,
    private readonly fromCode: Linear,
    private readonly expand: Conv2d,
  ) {}

  apply(encoded: tf.Tensor4D): { z: tf.Tensor; decoderInput: tf.Tensor4D } {
    const squeezed = this.squeeze.apply(encoded);
    const [batch, height, width, channels] = squeezed.shape;
    // PyTorch flattens (and later un-flattens) NCHW, so the Linear weights index C,H,W.
    const z = this.toCode.apply(tf.reshape(tf.transpose(squeezed, [0, 3, 1, 2]), [batch, -1]));
    const unflattened = tf.reshape<tf.Rank.R4>(this.fromCode.apply(z), [batch, channels, height, width]);
    return { z, decoderInput: this.expand.apply(tf.transpose(unflattened, [0, 2, 3, 1])) };
  }
}
