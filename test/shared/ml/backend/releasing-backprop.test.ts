import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { installReleasingBackprop } from '../../../../shared/ml/backend/releasing-backprop.ts';

interface StepResult {
  grads: Float32Array[];
  /** tf.memory().numBytes when the backward pass reaches the first layer's output (its last layer). */
  bytesAtEndOfBackward: number;
}

/** A gradient that hands dy through unchanged, as a straight-through estimator does. */
const handThrough = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return { value: tf.mul(x, 1), gradFunc: (dy: tf.Tensor) => dy };
}) as (x: tf.Tensor) => tf.Tensor;

/** Records the memory in use when its gradient runs, then passes dy on. */
function memoryProbe(record: (bytes: number) => void): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.add(args[0] as tf.Tensor, 0),
    gradFunc: (dy: tf.Tensor) => {
      record(tf.memory().numBytes);
      return tf.mul(dy, 1);
    },
  })) as (x: tf.Tensor) => tf.Tensor;
}

/** Gradients of a five-layer conv stack (sigmoid-gated, one straight-through layer), with a second-order term. */
function trainingStep(x: tf.Tensor4D, weights: tf.Variable[]): StepResult {
  let bytesAtEndOfBackward = 0;
  const probe = memoryProbe((bytes) => (bytesAtEndOfBackward = bytes));
  const loss = () => {
    let h = x;
    for (const [i, w] of weights.entries()) {
      const z = tf.conv2d(h, w as tf.Tensor4D, 1, 'same');
      h = (i === 2 ? handThrough(tf.mul(z, tf.sigmoid(z))) : tf.mul(z, tf.sigmoid(z))) as tf.Tensor4D;
      if (i === 0) h = probe(h) as tf.Tensor4D;
    }
    const slope = tf.grad((t: tf.Tensor) => tf.sum(tf.square(t)))(h);
    return tf.add(tf.mean(tf.square(h)), tf.mul(tf.mean(slope), 1e-3)) as tf.Scalar;
  };
  const { value, grads } = tf.variableGrads(loss, weights);
  const values = weights.map((w) => grads[w.name].dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  return { grads: values, bytesAtEndOfBackward };
}

function makeWeights(): tf.Variable[] {
  return [3, 8, 8, 8, 8].map((inChannels, i) => tf.variable(tf.randomNormal([3, 3, inChannels, 8], 0, 0.3, 'float32', 40 + i)));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await ensureGradientsRegistered();
});

test('training gradients are the same bits with memory released during the backward pass, which then holds less', () => {
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const weights = makeWeights();
  const before = trainingStep(x, weights);
  const tensorsBefore = tf.memory().numTensors;

  installReleasingBackprop();
  const after = trainingStep(x, weights);

  expect(after.grads).toEqual(before.grads);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  // Each of the five layers saves its input, its conv output and its gate for the backward pass,
  // and the engine alone keeps them all, and every gradient, to the end of the pass.
  expect(after.bytesAtEndOfBackward).toBeLessThan(before.bytesAtEndOfBackward * 0.6);
  tf.dispose([x, ...weights]);
});

test('a dy given by the caller is left to the caller', () => {
  installReleasingBackprop();
  const x = tf.tensor1d([1, 2, 3]);
  const dy = tf.tensor1d([1, -1, 2]);
  const dx = tf.grad((t: tf.Tensor) => tf.sigmoid(tf.mul(t, t)))(x, dy);
  expect(dy.isDisposed).toBe(false);
  expect(Array.from(dy.dataSync())).toEqual([1, -1, 2]);
  expect(dx.shape).toEqual([3]);
  tf.dispose([x, dy, dx]);
});
