import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { swish } from '../../../../shared/ml/layers/activation.ts';
import { reflectionPad2d } from '../../../../shared/ml/layers/reflection-pad2d.ts';
import { FUSED_REFLECTION_PAD } from '../../../../shared/ml/layers/reflection-pad-kernels.ts';
import { FUSED_SWISH } from '../../../../shared/ml/layers/swish-kernels.ts';

/** The values and the gradient to x of sum(layer(x) · weights), both as plain arrays. */
function valueAndGradient(layer: (x: tf.Tensor4D) => tf.Tensor4D, shape: [number, number, number, number], seed: number): { value: number[]; gradient: number[] } {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 2, 'float32', seed) as tf.Tensor4D;
    const value = layer(x);
    const weights = tf.randomNormal(value.shape, 0, 1, 'float32', seed + 1);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer(input as tf.Tensor4D), weights)))(x);
    return { value: Array.from(value.dataSync()), gradient: Array.from(gradient.dataSync()) };
  });
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

describe('fused swish', () => {
  test('equals x·sigmoid(x) on generic ops, value and gradient, bit for bit', () => {
    FUSED_SWISH.uninstall('cpu');
    const generic = valueAndGradient(swish, [2, 5, 6, 3], 1);
    FUSED_SWISH.install('cpu');
    const fused = valueAndGradient(swish, [2, 5, 6, 3], 1);
    FUSED_SWISH.uninstall('cpu');
    expect(fused).toEqual(generic);
  });
});

describe('fused reflection padding', () => {
  test.each<[[number, number, number, number], number]>([
    [[2, 5, 6, 3], 1],
    [[1, 4, 4, 1], 3],
    [[3, 7, 5, 2], 2],
  ])('shape %j, padding %i: the same values and gradient as slice/reverse/concat', (shape, padding) => {
    const layer = (x: tf.Tensor4D) => reflectionPad2d(x, padding);
    FUSED_REFLECTION_PAD.uninstall('cpu');
    const generic = valueAndGradient(layer, shape, 5);
    FUSED_REFLECTION_PAD.install('cpu');
    const fused = valueAndGradient(layer, shape, 5);
    FUSED_REFLECTION_PAD.uninstall('cpu');
    expect(fused.value).toEqual(generic.value);
    fused.gradient.forEach((g, i) => expect(g).toBeCloseTo(generic.gradient[i], 5));
  });

  test('mirrors without repeating the border, as PyTorch: [a b c] → [b a b c b]', () => {
    FUSED_REFLECTION_PAD.install('cpu');
    const padded = reflectionPad2d(tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]), 1);
    expect(Array.from(padded.dataSync())).toEqual([5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2]);
    FUSED_REFLECTION_PAD.uninstall('cpu');
  });
});
