import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from './parameter-store.ts';
import { pytorchUniform } from './pytorch-init.ts';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Default true. */
  bias?: boolean;
}

/**
 * PyTorch `nn.Linear` on [batch, features]. Variables: `<name>.weight` (PyTorch
 * (out, in), TF.js (in, out)) and `<name>.bias`.
 */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(store: ParameterStore, name: string, options: LinearOptions) {
    const { inFeatures, outFeatures } = options;
    this.weight = store.addParameter(
      `${name}.weight`,
      'linear',
      [outFeatures, inFeatures],
      pytorchUniform(store.random, outFeatures * inFeatures, inFeatures),
    );
    this.bias =
      options.bias === false
        ? undefined
        : store.addParameter(`${name}.bias`, 'same', [outFeatures], pytorchUniform(store.random, outFeatures, inFeatures));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y: tf.Tensor2D = tf.matMul(x, this.weight);
      return this.bias ? tf.add<tf.Tensor2D>(y, this.bias) : y;
    });
  }
}
