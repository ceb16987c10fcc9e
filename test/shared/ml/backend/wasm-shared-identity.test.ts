import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { installWasmSharedIdentity, uninstallWasmSharedIdentity } from '../../../../shared/ml/backend/wasm-shared-identity.ts';

interface DataCountingBackend {
  numDataIds(): number;
}

const dataIds = () => (tf.backend() as unknown as DataCountingBackend).numDataIds();

/** Gradient of Σ sigmoid(x)·x² at x, which makes TF.js save (clone) tensors for the backward pass. */
function gradient(values: Float32Array): Float32Array {
  return tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(x), tf.square(x))))(tf.tensor1d(values)).dataSync() as Float32Array);
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('wasm');
});

afterAll(() => uninstallWasmSharedIdentity());

describe('shared Identity on wasm', () => {
  test('a clone shares the buffer and outlives the original', () => {
    installWasmSharedIdentity();
    const x = tf.tensor1d([1, 2, 3]);
    const before = dataIds();
    const copy = tf.clone(x);
    expect(dataIds()).toBe(before);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
    expect(dataIds()).toBe(before - 1);
  });

  test('wasm’s own Identity copies (what this replaces)', () => {
    uninstallWasmSharedIdentity();
    const x = tf.tensor1d([1, 2, 3]);
    const before = dataIds();
    const copy = tf.clone(x);
    expect(dataIds()).toBe(before + 1);
    tf.dispose([x, copy]);
  });

  test('gradients are the same with either, and no buffer is left behind', () => {
    const values = Float32Array.from({ length: 64 }, (_, k) => Math.sin(k));
    uninstallWasmSharedIdentity();
    const copying = gradient(values);
    installWasmSharedIdentity();
    const before = dataIds();
    expect(gradient(values)).toEqual(copying);
    expect(dataIds()).toBe(before);
  });
});
