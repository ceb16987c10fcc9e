import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, test } from 'vitest';
import { detach } from '../../../../shared/ml/training/detach.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

test('keeps the values and stops the gradient, like PyTorch detach()', () => {
  const w = tf.variable(tf.tensor1d([2, -3]));
  // loss = Σ w·w + Σ detach(w)·w: d/dw = 2w + w = 3w (the detached factor counts as a constant).
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.add(tf.mul(w, w), tf.mul(detach(w), w))) as tf.Scalar, [w]);
  expect(value.dataSync()[0]).toBe(26);
  expect(Array.from(grads[w.name].dataSync())).toEqual([6, -9]);
  const onlyDetached = tf.variableGrads(() => tf.sum(tf.mul(detach(w), 5)) as tf.Scalar, [w]);
  expect(Array.from(onlyDetached.grads[w.name].dataSync())).toEqual([0, 0]);
  w.dispose();
});
