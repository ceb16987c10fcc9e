import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from './parameter-store.ts';
import { addConvParameters } from './conv2d.ts';

export interface WeightStandardizedConv2dOptions {
  inChannels: number;
  outChannels: number;
  /** Square kernel size k. */
  kernelSize: number;
  /** Default true. */
  bias?: boolean;
}

/** Added to the standard deviation (not the variance), as the official layer does. */
const STD_EPSILON = 1e-5;

/**
 * The official `WNConv2d` of the DAE (model_zoo/dae_kascenas.py, docs/models.md §12,
 * §17.9): a Conv2d whose weight is standardised on every forward pass, per output
 * filter over (in, kh, kw): `w ← (w − mean) / (std + 1e-5)`, std unbiased (n − 1). The
 * bias is added unchanged. The standardisation is part of the graph, so gradients reach
 * the raw weight through it (they are orthogonal to shifting or scaling a filter).
 * Stride 1 and no padding, as the UNet uses it (it reflection-pads beforehand).
 * Variables and init as `nn.Conv2d`: `<name>.weight` (PyTorch (O, I, k, k), TF.js
 * (k, k, I, O)) and `<name>.bias`, U(±1/√fan_in).
 */
export class WeightStandardizedConv2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(store: ParameterStore, name: string, options: WeightStandardizedConv2dOptions) {
    const fanIn = options.inChannels * options.kernelSize * options.kernelSize;
    if (fanIn < 2) throw new Error(`WeightStandardizedConv2d ${name}: a filter of ${fanIn} value has no unbiased standard deviation`);
    ({ weight: this.weight, bias: this.bias } = addConvParameters(store, name, options));
  }

  /** The filter the convolution uses, TF.js layout (k, k, I, O). */
  standardizedWeight(): tf.Tensor4D {
    return tf.tidy(() => {
      const w = this.weight as tf.Tensor4D;
      const [kh, kw, inChannels] = w.shape;
      const n = kh * kw * inChannels;
      const centered = tf.sub(w, tf.mean(w, [0, 1, 2], true));
      const std = tf.sqrt(tf.div(tf.sum(tf.square(centered), [0, 1, 2], true), n - 1));
      return tf.div(centered, tf.add(std, STD_EPSILON));
    });
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = tf.conv2d(x, this.standardizedWeight(), 1, 'valid');
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}
