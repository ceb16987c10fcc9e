import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropy } from '../../../../shared/ml/losses/binary-cross-entropy.ts';
import { useCpuBackend } from '../training/helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

const bce = (p: number[], y: number[]): number => tf.tidy(() => binaryCrossEntropy(tf.tensor1d(p), tf.tensor1d(y)).dataSync()[0]);
const gradient = (p: number[], y: number[]): number[] =>
  tf.tidy(() => Array.from(tf.grad((prediction: tf.Tensor) => binaryCrossEntropy(prediction, tf.tensor1d(y)))(tf.tensor1d(p)).dataSync()));

describe('binaryCrossEntropy (PyTorch F.binary_cross_entropy)', () => {
  it('is the mean of −[y·log p + (1 − y)·log(1 − p)], with soft targets', () => {
    const expected = -(Math.log(0.25) + (0.3 * Math.log(0.6) + 0.7 * Math.log(0.4))) / 2;
    expect(bce([0.25, 0.6], [1, 0.3])).toBeCloseTo(expected, 6);
  });

  it('clamps each log at −100: a certain wrong answer costs 100, a certain right one 0', () => {
    expect(bce([0], [1])).toBeCloseTo(100, 4);
    expect(bce([1], [0])).toBeCloseTo(100, 4);
    expect(bce([0, 1], [0, 1])).toBeCloseTo(0, 10);
    expect(bce([0, 1], [0.5, 0.5])).toBeCloseTo(50, 4);
  });

  it("has PyTorch's gradient (p − y) / max(p(1 − p), 1e-12) / N: finite at 0 and 1, never NaN", () => {
    const [ordinary, rightAtZero, wrongAtZero, softAtOne] = gradient([0.25, 0, 0, 1], [1, 0, 1, 0.9]);
    expect(ordinary).toBeCloseTo(-4 / 4, 5);
    expect(rightAtZero).toBe(0);
    expect(wrongAtZero / (-1e12 / 4)).toBeCloseTo(1, 5);
    expect(softAtOne / (0.1 / 1e-12 / 4)).toBeCloseTo(1, 5);
  });

  it('passes no gradient into the target', () => {
    const targetGradient = tf.tidy(() =>
      Array.from(tf.grad((target: tf.Tensor) => binaryCrossEntropy(tf.tensor1d([0.2, 0.7]), target))(tf.tensor1d([0.5, 0.5])).dataSync()),
    );
    expect(targetGradient).toEqual([0, 0]);
  });

  it('refuses a target of another shape', () => {
    expect(() => binaryCrossEntropy(tf.zeros([2, 1]), tf.zeros([2]))).toThrow(/prediction \[2, 1\] and target \[2\]/);
  });
});
