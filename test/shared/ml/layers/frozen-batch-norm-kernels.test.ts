import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InPlaceBackend } from '../../../../shared/ml/backend/backend-buffers.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { BatchNorm2d } from '../../../../shared/ml/layers/batch-norm2d.ts';
import {
  frozenBatchNormAvailable,
  installFrozenBatchNormKernels,
  uninstallFrozenBatchNormKernels,
} from '../../../../shared/ml/layers/frozen-batch-norm-kernels.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { expectClose, uniform } from './helpers/close-values.ts';

type Shape = [number, number, number, number];

interface NormResults {
  y: Float32Array;
  dx: Float32Array;
  dWeight: Float32Array;
  dBias: Float32Array;
}

interface NormInputs {
  x: Float32Array;
  r: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
});

afterAll(async () => {
  uninstallFrozenBatchNormKernels('cpu');
  uninstallFrozenBatchNormKernels('wasm');
  await tf.setBackend('cpu');
});

function caseInputs(shape: Shape, seed: number): NormInputs {
  const count = shape.reduce((a, b) => a * b, 1);
  const channels = shape[3];
  return {
    x: uniform(count, seed, -3, 3),
    r: uniform(count, seed + 1, -1, 1),
    weight: uniform(channels, seed + 2, 0.5, 1.5),
    bias: uniform(channels, seed + 3, -1, 1),
    runningMean: uniform(channels, seed + 4, -0.5, 0.5),
    runningVar: uniform(channels, seed + 5, 0.2, 3),
  };
}

/** A frozen BatchNorm2d's output and the gradients of Σ r ⊙ y² to x, weight and bias, on the active backend. */
function normResults(shape: Shape, inputs: NormInputs): NormResults {
  const store = new ParameterStore(new SeededRandom(0));
  const norm = new BatchNorm2d(store, 'bn', { numFeatures: shape[3], mode: 'frozen' });
  norm.weight.assign(tf.tensor1d(inputs.weight));
  norm.bias.assign(tf.tensor1d(inputs.bias));
  norm.runningMean.assign(tf.tensor1d(inputs.runningMean));
  norm.runningVar.assign(tf.tensor1d(inputs.runningVar));
  const results = tf.tidy(() => {
    const x = tf.tensor4d(inputs.x, shape);
    const r = tf.tensor4d(inputs.r, shape);
    const loss = (input: tf.Tensor4D) => tf.sum(tf.mul(r, tf.square(norm.apply(input, true)))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(() => loss(x), [norm.weight, norm.bias]);
    value.dispose();
    const dx = tf.grad((input: tf.Tensor) => loss(input as tf.Tensor4D))(x);
    return {
      y: norm.apply(x, true).dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dWeight: grads[norm.weight.name].dataSync() as Float32Array,
      dBias: grads[norm.bias.name].dataSync() as Float32Array,
    };
  });
  store.dispose();
  return results;
}

const CASES: Array<{ backend: InPlaceBackend; shape: Shape }> = [
  { backend: 'cpu', shape: [2, 6, 5, 8] },
  { backend: 'cpu', shape: [1, 9, 7, 3] },
  { backend: 'wasm', shape: [2, 6, 5, 8] },
  { backend: 'wasm', shape: [4, 16, 16, 16] },
];

describe('fused frozen BatchNorm kernels', () => {
  test.each(CASES)('on $backend equal the generic ops: value and input gradient bit for bit, weight and bias gradients to rounding ($shape)', async ({ backend, shape }) => {
    await tf.setBackend(backend);
    const inputs = caseInputs(shape, 30);
    uninstallFrozenBatchNormKernels(backend);
    expect(frozenBatchNormAvailable()).toBe(false);
    const generic = normResults(shape, inputs);
    installFrozenBatchNormKernels(backend);
    expect(frozenBatchNormAvailable()).toBe(true);
    const fused = normResults(shape, inputs);
    expect(fused.y).toEqual(generic.y);
    expect(fused.dx).toEqual(generic.dx);
    expectClose(fused.dWeight, generic.dWeight, 1e-5);
    expectClose(fused.dBias, generic.dBias, 1e-5);
  });

  test('train mode with batch statistics does not use them: its running statistics still update', async () => {
    await tf.setBackend('cpu');
    installFrozenBatchNormKernels('cpu');
    const store = new ParameterStore(new SeededRandom(0));
    const norm = new BatchNorm2d(store, 'bn', { numFeatures: 2, mode: 'train' });
    tf.tidy(() => norm.apply(tf.tensor4d([1, 0, 2, 0, 3, 10, 4, 10], [1, 2, 2, 2]), true));
    expect(Array.from(norm.runningMean.dataSync())).toEqual([Math.fround(0.25), Math.fround(0.5)]);
    store.dispose();
  });
});
