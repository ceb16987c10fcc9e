import * as tf from '@tensorflow/tfjs-core';
import type { EpilogueActivation } from './channel-epilogue-kernels.ts';
import { FUSED_SWISH } from './swish-kernels.ts';

/** Activation names of the official Encoder/Decoder (docs/models.md §2.1). */
export type ActivationName = 'swish' | 'relu' | 'leakyrelu';

export interface Activation {
  (x: tf.Tensor4D): tf.Tensor4D;
  /** The same function as the channel epilogue kernels name it, where they compute it (conv-epilogue.ts). */
  readonly epilogue?: EpilogueActivation;
}

function withEpilogue(activation: (x: tf.Tensor4D) => tf.Tensor4D, epilogue: EpilogueActivation): Activation {
  return Object.assign(activation, { epilogue });
}

/** Swish with β = 1: x·sigmoid(x); through the fused kernels (swish-kernels.ts) where the backend has them. */
export function swish(x: tf.Tensor4D): tf.Tensor4D {
  if (FUSED_SWISH.available()) return FUSED_SWISH.apply(x);
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * The activation for a name. `leakyrelu` uses `leakyReluSlope`: the official code
 * builds `nn.LeakyReLU(True)`, i.e. slope 1.0, the identity (docs/models.md §2.1, §17.1);
 * with slope 1 no op is run at all.
 */
export function makeActivation(name: ActivationName, leakyReluSlope: number): Activation {
  switch (name) {
    case 'swish':
      return withEpilogue((x) => swish(x), 'swish');
    case 'relu':
      return withEpilogue((x) => tf.relu(x), 'relu');
    case 'leakyrelu':
      return leakyReluSlope === 1 ? withEpilogue((x) => x, 'identity') : (x) => tf.leakyRelu(x, leakyReluSlope);
  }
}
