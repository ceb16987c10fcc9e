import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../layers/activation.ts';
import { BatchNorm2d, type BatchNormMode } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import type { ParameterStore } from '../layers/parameter-store.ts';
import { upsampleBilinear } from '../layers/upsample-bilinear.ts';
import { type ConvNormActivation, convNormActivation, convNormActivationTensors } from './conv-epilogue.ts';
import { type ConvLevelTensors, sizesThroughLevels, tensorsThroughLevels } from './conv-levels.ts';

/**
 * How the decoder (and the MorphAEus deformer) goes up a level: `stride` and `upsample`
 * upsample bilinearly (align_corners=True) and then convolve with stride 1; `trans` is a
 * ConvTranspose2d with output_padding 1.
 */
export type DeconvMode = 'stride' | 'upsample' | 'trans';

export interface ConvDecoderOptions {
  /**
   * Prefix of the state_dict names: `<prefix>_decode_<i>`, `<prefix>_batch_<i>` and
   * `<prefix>_decode_final`. The official models use `decoder.conv_`.
   */
  prefix: string;
  /** Channels of the latent it decodes (the encoder's last level). */
  inChannels: number;
  /** The encoder's channel list; the decoder runs `reversed(channels) + [channels[0]]`. */
  channels: readonly number[];
  /** Channels of the output image. */
  outChannels: number;
  /** The encoder's strides; the decoder runs them reversed. */
  strides: readonly number[];
  /** Square kernel k; padding (k−1)//2. */
  kernelSize: number;
  deconvMode: DeconvMode;
  /** Mode of the BatchNorm after every level's conv; null for `norm: none`. */
  batchNorm: BatchNormMode | null;
  activation: Activation;
}

/** Every tensor of a decoder pass. */
export interface ConvDecoderTensors {
  levels: ConvLevelTensors[];
  /** The final 1×1 conv's output, before the sigmoid. */
  finalConv: tf.Tensor4D;
  /** The decoded image, after the sigmoid. */
  output: tf.Tensor4D;
}

interface DecoderLevel extends ConvNormActivation {
  upsample: number | undefined;
}

/**
 * The official `Decoder` (docs/models.md §2.2): `reversed(channels) + [channels[0]]` zipped
 * with the reversed strides, each level (upsample →) conv → BatchNorm → activation, then
 * a 1×1 conv to the output channels and a sigmoid (always: `act_final` is ignored).
 */
export class ConvDecoder {
  /** Output channels of each level, in order (the final conv excluded). */
  readonly levelChannels: readonly number[];
  private readonly levels: readonly DecoderLevel[];
  private readonly final: Conv2d;

  constructor(store: ParameterStore, options: ConvDecoderOptions) {
    const { prefix, kernelSize: k } = options;
    const padding = Math.floor((k - 1) / 2);
    const decoderChannels = [...options.channels].reverse().concat(options.channels[0]);
    const decoderStrides = [...options.strides].reverse();
    const levels: DecoderLevel[] = [];
    let c = options.inChannels;
    for (let i = 0; i < ConvDecoder.levelCount(options); i++) {
      const out = decoderChannels[i];
      const stride = decoderStrides[i];
      const name = `${prefix}_decode_${i}`;
      const level =
        options.deconvMode === 'trans'
          ? { upsample: undefined, conv: new ConvTranspose2d(store, name, { inChannels: c, outChannels: out, kernelSize: k, stride, padding, outputPadding: 1 }) }
          : { upsample: stride, conv: new Conv2d(store, name, { inChannels: c, outChannels: out, kernelSize: k, padding }) };
      const norm = options.batchNorm === null ? undefined : new BatchNorm2d(store, `${prefix}_batch_${i}`, { numFeatures: out, mode: options.batchNorm });
      levels.push({ ...level, norm, activation: options.activation });
      c = out;
    }
    this.levels = levels;
    this.levelChannels = levels.map((_, i) => decoderChannels[i]);
    this.final = new Conv2d(store, `${prefix}_decode_final`, { inChannels: c, outChannels: options.outChannels, kernelSize: 1 });
  }

  /** Number of levels: min(len(channels) + 1, len(strides)). */
  static levelCount(options: Pick<ConvDecoderOptions, 'channels' | 'strides'>): number {
    return Math.min(options.channels.length + 1, options.strides.length);
  }

  /** The spatial size after each level, for a latent of size n along one axis (the final 1×1 conv keeps the last). */
  static levelSizes(options: Pick<ConvDecoderOptions, 'channels' | 'strides' | 'kernelSize' | 'deconvMode'>, n: number): number[] {
    const k = options.kernelSize;
    const pad = Math.floor((k - 1) / 2);
    const reversed = [...options.strides].reverse();
    return sizesThroughLevels(n, ConvDecoder.levelCount(options), (size, i) => {
      const s = reversed[i];
      return options.deconvMode === 'trans' ? (size - 1) * s - 2 * pad + k + 1 : Math.floor(size * s) + 2 * pad - k + 1;
    });
  }

  /** The decoded image (after the sigmoid). */
  apply(z: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = z;
      for (const level of this.levels) h = convNormActivation(level, upsampled(level, h), training);
      return tf.sigmoid(this.final.apply(h));
    });
  }

  /** Every tensor of the pass, in order. Call inside a tidy. */
  applyLevels(z: tf.Tensor4D, training: boolean): ConvDecoderTensors {
    const levels = tensorsThroughLevels(this.levels, z, (level, input) => convNormActivationTensors(level, upsampled(level, input), training));
    const finalConv = this.final.apply(levels.at(-1)?.output ?? z);
    return { levels, finalConv, output: tf.sigmoid(finalConv) };
  }
}

/** A level's input: the previous level's output, upsampled where the level upsamples. */
function upsampled(level: DecoderLevel, x: tf.Tensor4D): tf.Tensor4D {
  return level.upsample === undefined ? x : upsampleBilinear(x, level.upsample);
}
