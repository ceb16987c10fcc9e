import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from './parameter-store.ts';
import { pytorchUniform } from './pytorch-init.ts';

export interface ConvTranspose2dOptions {
  inChannels: number;
  outChannels: number;
  /** Square kernel size k. */
  kernelSize: number;
  /** Default 1. */
  stride?: number;
  /** PyTorch `padding`: cropped from both ends of the full output; default 0. */
  padding?: number;
  /** PyTorch `output_padding`: added back at the bottom/right end; default 0, must be < stride. */
  outputPadding?: number;
  /** Default true. */
  bias?: boolean;
}

/**
 * PyTorch `nn.ConvTranspose2d` on NHWC tensors (docs/models.md §17.5). The full transposed
 * convolution has size (n−1)·s + k; PyTorch crops `padding` at the start and
 * `padding − output_padding` at the end, giving (n−1)·s − 2p + k + op. TF.js `'same'`
 * crops differently, so this runs `conv2dTranspose(..., 'valid')` and slices (zero-
 * filling the end when output_padding exceeds padding). A numeric pad would skip the slice on
 * the cpu and wasm backends, but libtensorflow's kernel takes only 'valid' and 'same'.
 * Variables: `<name>.weight` (PyTorch (I, O, k, k), TF.js (k, k, O, I)) and `<name>.bias`.
 */
export class ConvTranspose2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  private readonly outChannels: number;
  private readonly kernelSize: number;
  private readonly stride: number;
  private readonly padding: number;
  private readonly outputPadding: number;

  constructor(store: ParameterStore, name: string, options: ConvTranspose2dOptions) {
    const { inChannels, outChannels, kernelSize: k } = options;
    this.outChannels = outChannels;
    this.kernelSize = k;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.outputPadding = options.outputPadding ?? 0;
    if (this.outputPadding >= this.stride) {
      throw new Error(
        `ConvTranspose2d ${name}: output_padding (${this.outputPadding}) must be smaller than stride (${this.stride}), as in PyTorch`,
      );
    }
    // PyTorch computes fan_in from weight dim 1, which is out_channels for a transposed conv.
    const fanIn = outChannels * k * k;
    this.weight = store.addParameter(
      `${name}.weight`,
      'conv_transpose2d',
      [inChannels, outChannels, k, k],
      pytorchUniform(store.random, inChannels * outChannels * k * k, fanIn),
    );
    this.bias =
      options.bias === false
        ? undefined
        : store.addParameter(`${name}.bias`, 'same', [outChannels], pytorchUniform(store.random, outChannels, fanIn));
  }

  /** Output spatial size for an input of size n. */
  outputSize(n: number): number {
    return (n - 1) * this.stride - 2 * this.padding + this.kernelSize + this.outputPadding;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = this.applyWithoutBias(x);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** The transposed convolution alone, for callers that add the bias in a later pass (conv-epilogue.ts). */
  applyWithoutBias(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [batch, height, width] = x.shape;
      const k = this.kernelSize;
      const s = this.stride;
      const fullHeight = (height - 1) * s + k;
      const fullWidth = (width - 1) * s + k;
      const full = tf.conv2dTranspose(x, this.weight as tf.Tensor4D, [batch, fullHeight, fullWidth, this.outChannels], s, 'valid');
      const p = this.padding;
      const outHeight = this.outputSize(height);
      const outWidth = this.outputSize(width);
      const extraRows = Math.max(0, p + outHeight - fullHeight);
      const extraCols = Math.max(0, p + outWidth - fullWidth);
      const padded = extraRows || extraCols ? tf.pad(full, [[0, 0], [0, extraRows], [0, extraCols], [0, 0]]) : full;
      return tf.slice(padded, [0, p, p, 0], [batch, outHeight, outWidth, this.outChannels]);
    });
  }
}
