import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from './parameter-store.ts';
import { pytorchUniform } from './pytorch-init.ts';
import { conv2dZeroPadded } from './zero-padded-conv2d.ts';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  /** Square kernel size k. */
  kernelSize: number;
  /** Default 1. */
  stride?: number;
  /**
   * Zero padding added on every side, as PyTorch's `padding` (symmetric); default 0.
   * TF.js `'same'` pads stride-2 convs asymmetrically and would shift the output by a
   * pixel (docs/models.md §17.4), so padding is always explicit here.
   */
  padding?: number;
  /** Default true. */
  bias?: boolean;
}

/**
 * The variables of a PyTorch `nn.Conv2d` with its default init, U(±1/√fan_in), drawn
 * weight first, then bias: `<name>.weight` (PyTorch (O, I, k, k), TF.js (k, k, I, O)) and
 * `<name>.bias` unless `bias` is false.
 */
export function addConvParameters(
  store: ParameterStore,
  name: string,
  options: Pick<Conv2dOptions, 'inChannels' | 'outChannels' | 'kernelSize' | 'bias'>,
): { weight: tf.Variable; bias: tf.Variable | undefined } {
  const { inChannels, outChannels, kernelSize: k } = options;
  const fanIn = inChannels * k * k;
  const weight = store.addParameter(`${name}.weight`, 'conv2d', [outChannels, inChannels, k, k], pytorchUniform(store.random, outChannels * inChannels * k * k, fanIn));
  const bias = options.bias === false ? undefined : store.addParameter(`${name}.bias`, 'same', [outChannels], pytorchUniform(store.random, outChannels, fanIn));
  return { weight, bias };
}

/**
 * PyTorch `nn.Conv2d` on NHWC tensors. Variables: `<name>.weight` (PyTorch (O, I, k, k),
 * TF.js (k, k, I, O)) and `<name>.bias`.
 */
export class Conv2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  private readonly stride: number;
  private readonly padding: number;

  constructor(store: ParameterStore, name: string, options: Conv2dOptions) {
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    ({ weight: this.weight, bias: this.bias } = addConvParameters(store, name, options));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = this.applyWithoutBias(x);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** The convolution alone, for callers that add the bias in a later pass (conv-epilogue.ts). */
  applyWithoutBias(x: tf.Tensor4D): tf.Tensor4D {
    return conv2dZeroPadded(x, this.weight as tf.Tensor4D, this.stride, this.padding);
  }
}
