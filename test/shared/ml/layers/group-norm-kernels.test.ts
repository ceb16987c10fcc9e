import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { GroupNorm } from '../../../../shared/ml/layers/group-norm.ts';
import {
  fusedGroupNormAvailable,
  installGroupNormKernels,
  uninstallGroupNormKernels,
} from '../../../../shared/ml/layers/group-norm-kernels.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { expectClose, uniform } from './helpers/close-values.ts';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

afterAll(() => {
  uninstallGroupNormKernels('cpu');
  uninstallGroupNormKernels('wasm');
});

interface NormResults {
  y: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
}

/** GroupNorm's output and the gradients of Σ r ⊙ y² to x, weight and bias, on the active backend. */
function normResults(shape: [number, number, number, number], groups: number, inputs: { x: Float32Array; gamma: Float32Array; beta: Float32Array; r: Float32Array }): NormResults {
  const store = new ParameterStore(new SeededRandom(0));
  const norm = new GroupNorm(store, 'gn', { numGroups: groups, numChannels: shape[3] });
  norm.weight.assign(tf.tensor1d(inputs.gamma));
  norm.bias.assign(tf.tensor1d(inputs.beta));
  const results = tf.tidy(() => {
    const x = tf.tensor4d(inputs.x, shape);
    const r = tf.tensor4d(inputs.r, shape);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(r, tf.square(norm.apply(x)))) as tf.Scalar, [norm.weight, norm.bias]);
    value.dispose();
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(r, tf.square(norm.apply(input as tf.Tensor4D)))))(x);
    return {
      y: norm.apply(x).dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dGamma: grads[norm.weight.name].dataSync() as Float32Array,
      dBeta: grads[norm.bias.name].dataSync() as Float32Array,
    };
  });
  store.dispose();
  return results;
}

const CASES: Array<{ shape: [number, number, number, number]; groups: number }> = [
  { shape: [2, 6, 5, 8], groups: 4 },
  { shape: [3, 4, 4, 6], groups: 1 },
  { shape: [1, 9, 7, 16], groups: 16 },
];

function caseInputs(shape: [number, number, number, number], seed: number) {
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    // An offset and a spread per element, so that the mean and the variance both matter.
    x: uniform(count, seed, 2, 5),
    gamma: uniform(shape[3], seed + 1, 0.5, 1.5),
    beta: uniform(shape[3], seed + 2, -1, 1),
    r: uniform(count, seed + 3, -1, 1),
  };
}

describe('fused GroupNorm kernels', () => {
  test.each(CASES)('equal the generic ops in value and the gradients to x, weight and bias ($shape, $groups groups)', ({ shape, groups }) => {
    const inputs = caseInputs(shape, 10);
    uninstallGroupNormKernels('cpu');
    expect(fusedGroupNormAvailable()).toBe(false);
    const generic = normResults(shape, groups, inputs);
    installGroupNormKernels('cpu');
    expect(fusedGroupNormAvailable()).toBe(true);
    const fused = normResults(shape, groups, inputs);
    expectClose(fused.y, generic.y, 1e-5);
    expectClose(fused.dx, generic.dx, 1e-4);
    expectClose(fused.dGamma, generic.dGamma, 1e-4);
    expectClose(fused.dBeta, generic.dBeta, 1e-4);
  });

  test('on wasm they give the cpu values bit for bit', async () => {
    const shape: [number, number, number, number] = [2, 8, 8, 8];
    const inputs = caseInputs(shape, 20);
    installGroupNormKernels('cpu');
    const cpu = normResults(shape, 2, inputs);
    await tf.setBackend('wasm');
    try {
      installGroupNormKernels('wasm');
      expect(normResults(shape, 2, inputs)).toEqual(cpu);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
