import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../layers/activation.ts';
import type { BatchNorm2d } from '../layers/batch-norm2d.ts';
import { channelEpilogue, channelEpilogueAvailable } from '../layers/channel-epilogue-kernels.ts';
import type { ConvLevelTensors } from './conv-levels.ts';

/** A conv layer whose bias a later pass can add (Conv2d, ConvTranspose2d). */
export interface BiasedConv {
  readonly bias: tf.Variable | undefined;
  apply(x: tf.Tensor4D): tf.Tensor4D;
  applyWithoutBias(x: tf.Tensor4D): tf.Tensor4D;
}

/** One level of a conv stack: conv → BatchNorm (if any) → activation. */
export interface ConvNormActivation {
  conv: BiasedConv;
  norm: BatchNorm2d | undefined;
  activation: Activation;
}

/**
 * The level's output. Where the channel epilogue kernels can compute the tail (BatchNorm with
 * running statistics, an activation they know) the conv runs without its bias and one pass
 * adds the bias, normalises and activates (channel-epilogue-kernels.ts); otherwise the
 * layers' own ops run.
 */
export function convNormActivation(level: ConvNormActivation, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  const kind = epilogueKind(level);
  const affine = kind && level.norm?.runningAffine(training, level.conv.bias as tf.Tensor1D | undefined);
  if (kind && affine) return channelEpilogue(level.conv.applyWithoutBias(x), affine.scale, affine.shift, kind);
  return genericTail(level, level.conv.apply(x), training);
}

/** The level's output and its conv's output, which a caller keeps (MorphAEus's taps); the epilogue then does not fold the bias. */
export function convNormActivationTensors(level: ConvNormActivation, x: tf.Tensor4D, training: boolean): ConvLevelTensors {
  const conv = level.conv.apply(x);
  const kind = epilogueKind(level);
  const affine = kind && level.norm?.runningAffine(training, undefined);
  return { conv, output: kind && affine ? channelEpilogue(conv, affine.scale, affine.shift, kind) : genericTail(level, conv, training) };
}

function epilogueKind(level: ConvNormActivation): Activation['epilogue'] {
  return level.norm !== undefined && channelEpilogueAvailable() ? level.activation.epilogue : undefined;
}

function genericTail(level: ConvNormActivation, conv: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return level.activation(level.norm ? level.norm.apply(conv, training) : conv);
}
