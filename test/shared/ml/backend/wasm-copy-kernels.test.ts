import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WASM_COPY_KERNELS } from '../../../../shared/ml/backend/copy-kernels.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** `compute`'s values with our wasm copy kernels and with the backend's own, which must be identical. */
function bothWays(compute: () => tf.Tensor | tf.Tensor[]): { ours: number[][]; generic: number[][] } {
  const read = () => tf.tidy(() => [compute()].flat().map((t) => Array.from(t.dataSync())));
  WASM_COPY_KERNELS.install('wasm');
  const ours = read();
  WASM_COPY_KERNELS.uninstall('wasm');
  const generic = read();
  return { ours, generic };
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('wasm');
});

afterAll(() => {
  WASM_COPY_KERNELS.uninstall('wasm');
});

describe('wasm copy kernels (Slice, SplitV, Concat) equal the backend ones', () => {
  const x = () => randomTensor([3, 5, 6, 70], 1);

  test.each([
    [[0, 1, 2, 0], [3, 3, 3, 70]],
    [[1, 0, 0, 1], [2, 5, 6, 2]],
    [[0, 4, 5, 3], [3, 1, 1, 66]],
    [[2, 2, 0, 0], [1, -1, 6, 4]],
  ])('slice at %j of size %j', (begin, size) => {
    const { ours, generic } = bothWays(() => tf.slice(x(), begin, size));
    expect(ours).toEqual(generic);
  });

  test.each([0, 1, 2, 3])('split into unequal pieces along axis %i', (axis) => {
    const pieces = axis === 0 ? [1, 2] : axis === 3 ? [1, 69] : [2, -1];
    const { ours, generic } = bothWays(() => tf.split(x(), pieces, axis));
    expect(ours).toEqual(generic);
  });

  test.each([0, 1, 2, 3])('concat of three tensors along axis %i, one of them empty', (axis) => {
    const shapeWith = (size: number) => [3, 5, 6, 7].map((extent, d) => (d === axis ? size : extent));
    const pieces = () => [randomTensor(shapeWith(2), 2), randomTensor(shapeWith(0), 3), randomTensor(shapeWith(3), 4)];
    const { ours, generic } = bothWays(() => tf.concat(pieces(), axis));
    expect(ours).toEqual(generic);
    expect(ours[0]).toHaveLength(3 * 5 * 6 * 7 * 5 / [3, 5, 6, 7][axis]);
  });

  test('the gradient of a concat along channels flows back to both inputs', () => {
    const a = randomTensor([2, 4, 4, 3], 5);
    const b = randomTensor([2, 4, 4, 2], 6);
    const weights = randomTensor([2, 4, 4, 5], 7);
    const gradients = () => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), weights)))([a, b]);
    const { ours, generic } = bothWays(gradients);
    expect(ours).toEqual(generic);
    expect(ours[1]).toEqual(Array.from(tf.slice(weights, [0, 0, 0, 3], [2, 4, 4, 2]).dataSync()));
  });

  test('int32 tensors go to the backend kernels', () => {
    WASM_COPY_KERNELS.install('wasm');
    const values = tf.concat([tf.tensor2d([1, 2], [2, 1], 'int32'), tf.tensor2d([3, 4], [2, 1], 'int32')], 1);
    expect(values.dtype).toBe('int32');
    expect(Array.from(values.dataSync())).toEqual([1, 3, 2, 4]);
  });
});
