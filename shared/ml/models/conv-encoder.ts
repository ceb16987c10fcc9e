import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../layers/activation.ts';
import { BatchNorm2d, type BatchNormMode } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import type { ParameterStore } from '../layers/parameter-store.ts';
import { type ConvNormActivation, convNormActivation, convNormActivationTensors } from './conv-epilogue.ts';
import { type ConvLevelTensors, sizesThroughLevels, tensorsThroughLevels } from './conv-levels.ts';

export interface ConvEncoderOptions {
  /**
   * Prefix of the state_dict names: `<prefix>_encode_<i>` (conv) and `<prefix>_batch_<i>`
   * (BatchNorm). The official models use `encoder.conv_`.
   */
  prefix: string;
  inChannels: number;
  /** Channels per level; as many strides as channels, or one more (the last count is then used twice). */
  channels: readonly number[];
  strides: readonly number[];
  /** Square kernel k; padding (k−1)//2. */
  kernelSize: number;
  /** Mode of the BatchNorm after every conv; null for `norm: none`. */
  batchNorm: BatchNormMode | null;
  activation: Activation;
}

/**
 * The official `Encoder` (docs/models.md §2.1): `channels + [channels[-1]]` zipped with
 * `strides`, each level Conv2d(k, stride s, padding (k−1)//2) → BatchNorm → activation.
 * `levels` also hands out each conv's raw output, which MorphAEus taps (§3.4).
 */
export class ConvEncoder {
  /** Output channels of each level, in order. */
  readonly levelChannels: readonly number[];
  private readonly levels: readonly ConvNormActivation[];

  constructor(store: ParameterStore, options: ConvEncoderOptions) {
    const { prefix, channels, strides, kernelSize: k } = options;
    const encoderChannels = [...channels, channels[channels.length - 1]];
    const levels: ConvNormActivation[] = [];
    let c = options.inChannels;
    for (let i = 0; i < ConvEncoder.levelCount(options); i++) {
      const out = encoderChannels[i];
      const conv = new Conv2d(store, `${prefix}_encode_${i}`, {
        inChannels: c,
        outChannels: out,
        kernelSize: k,
        stride: strides[i],
        padding: Math.floor((k - 1) / 2),
      });
      const norm = options.batchNorm === null ? undefined : new BatchNorm2d(store, `${prefix}_batch_${i}`, { numFeatures: out, mode: options.batchNorm });
      levels.push({ conv, norm, activation: options.activation });
      c = out;
    }
    this.levels = levels;
    this.levelChannels = levels.map((_, i) => encoderChannels[i]);
  }

  /** Number of levels: min(len(channels) + 1, len(strides)). */
  static levelCount(options: Pick<ConvEncoderOptions, 'channels' | 'strides'>): number {
    return Math.min(options.channels.length + 1, options.strides.length);
  }

  /** The spatial size after each level, for an input of size n along one axis. */
  static levelSizes(options: Pick<ConvEncoderOptions, 'channels' | 'strides' | 'kernelSize'>, n: number): number[] {
    const k = options.kernelSize;
    const pad = Math.floor((k - 1) / 2);
    return sizesThroughLevels(n, ConvEncoder.levelCount(options), (size, i) => Math.floor((size + 2 * pad - k) / options.strides[i]) + 1);
  }

  /** The encoder output (the latent). */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = x;
      for (const level of this.levels) h = convNormActivation(level, h, training);
      return h;
    });
  }

  /** Every level's tensors, in order; the last output is the latent. Call inside a tidy. */
  applyLevels(x: tf.Tensor4D, training: boolean): ConvLevelTensors[] {
    return tensorsThroughLevels(this.levels, x, (level, input) => convNormActivationTensors(level, input, training));
  }
}
