import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CPU_BROADCAST_KERNELS } from '../../../../shared/ml/backend/cpu-broadcast-kernels.ts';
import { CPU_COPY_KERNELS } from '../../../../shared/ml/backend/copy-kernels.ts';
import type { KernelOverrides } from '../../../../shared/ml/backend/kernel-overrides.ts';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** `compute`'s values with `kernels` installed and with the backend's generic kernels, which must be identical. */
function bothWays(kernels: KernelOverrides, compute: () => tf.Tensor | tf.Tensor[]): { ours: number[][]; generic: number[][] } {
  const read = () => tf.tidy(() => [compute()].flat().map((t) => Array.from(t.dataSync())));
  kernels.install('cpu');
  const ours = read();
  kernels.uninstall('cpu');
  const generic = read();
  return { ours, generic };
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

afterAll(() => {
  CPU_COPY_KERNELS.uninstall('cpu');
  CPU_BROADCAST_KERNELS.uninstall('cpu');
});

describe('cpu copy kernels (Slice, SplitV, Reverse) equal the generic ones', () => {
  const x = () => randomTensor([3, 5, 6, 4], 1);

  test.each([
    [[0, 1, 2, 0], [3, 3, 3, 4]],
    [[1, 0, 0, 1], [2, 5, 6, 2]],
    [[0, 4, 5, 3], [3, 1, 1, 1]],
    [[2, 2, 0, 0], [1, -1, 6, 4]],
  ])('slice at %j of size %j', (begin, size) => {
    const { ours, generic } = bothWays(CPU_COPY_KERNELS, () => tf.slice(x(), begin, size));
    expect(ours).toEqual(generic);
  });

  test.each([0, 1, 2, 3])('split into unequal pieces along axis %i', (axis) => {
    const pieces = axis === 0 ? [1, 2] : axis === 3 ? [1, 3] : [2, -1];
    const { ours, generic } = bothWays(CPU_COPY_KERNELS, () => tf.split(x(), pieces, axis));
    expect(ours).toEqual(generic);
  });

  test.each([[[1]], [[2]], [[3]], [[1, 2]], [[0, 3]]])('reverse along %j', (axes) => {
    const { ours, generic } = bothWays(CPU_COPY_KERNELS, () => tf.reverse(x(), axes));
    expect(ours).toEqual(generic);
  });

  test.each([[[0, 3, 1, 2]], [[3, 2, 1, 0]], [[0, 1, 3, 2]], [[1, 0, 2, 3]]])('transpose by %j', (perm) => {
    const { ours, generic } = bothWays(CPU_COPY_KERNELS, () => tf.transpose(x(), perm));
    expect(ours).toEqual(generic);
  });

  test.each([
    [[[0, 0], [1, 1], [2, 0], [0, 0]], 0],
    [[[1, 0], [0, 2], [1, 1], [0, 3]], -1.5],
  ])('pad by %j with %f', (paddings, value) => {
    const { ours, generic } = bothWays(CPU_COPY_KERNELS, () => tf.pad(x(), paddings as Array<[number, number]>, value));
    expect(ours).toEqual(generic);
  });

  test('the gradient of a concat along channels (a U-Net skip) flows back to both inputs', () => {
    const a = randomTensor([2, 4, 4, 3], 5);
    const b = randomTensor([2, 4, 4, 2], 6);
    const weights = randomTensor([2, 4, 4, 5], 7);
    const gradients = () => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), weights)))([a, b]);
    const { ours, generic } = bothWays(CPU_COPY_KERNELS, gradients);
    expect(ours).toEqual(generic);
    expect(ours[1]).toEqual(Array.from(tf.slice(weights, [0, 0, 0, 3], [2, 4, 4, 2]).dataSync()));
  });

  test('an int32 slice goes to the generic kernel', () => {
    CPU_COPY_KERNELS.install('cpu');
    const values = tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2]);
    expect(values.dtype).toBe('int32');
    expect(Array.from(values.dataSync())).toEqual([2, 3, 5, 6]);
  });
});

describe('cpu broadcast kernels (binary ops, Sum over outer axes) equal the generic ones', () => {
  const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
    ['maximum', tf.maximum],
    ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
    ['greater', tf.greater],
  ];
  const shapePairs: Array<[number[], number[]]> = [
    [[2, 3, 4, 5], [5]],
    [[5], [2, 3, 4, 5]],
    [[2, 3, 4, 5], [2, 1, 1, 5]],
    [[2, 1, 4, 1], [1, 3, 1, 5]],
    [[2, 3, 4, 5], []],
    [[2, 3, 4, 5], [2, 3, 4, 5]],
  ];

  test.each(ops)('%s over every shape pair', (_, op) => {
    for (const [aShape, bShape] of shapePairs) {
      const { ours, generic } = bothWays(CPU_BROADCAST_KERNELS, () => op(randomTensor(aShape, 2), randomTensor(bShape, 3)));
      expect(ours, `${aShape} with ${bShape}`).toEqual(generic);
    }
  });

  test.each([[[0, 1, 2]], [[0]], [[1]], [[0, 2]], [[1, 2]], [[3]]])('sum over axes %j, with and without kept dimensions', (axes) => {
    for (const keepDims of [false, true]) {
      const x = () => randomTensor([3, 5, 6, 4], 4);
      const { ours, generic } = bothWays(CPU_BROADCAST_KERNELS, () => tf.sum(x(), axes, keepDims));
      expect(ours).toEqual(generic);
      const shape = tf.tidy(() => {
        CPU_BROADCAST_KERNELS.install('cpu');
        return tf.sum(x(), axes, keepDims).shape;
      });
      CPU_BROADCAST_KERNELS.uninstall('cpu');
      expect(shape).toEqual(tf.tidy(() => tf.sum(x(), axes, keepDims).shape));
    }
  });

  test.each([[[0, 1, 2]], [[3]], [[1, 2]], [[0, 1, 2, 3]]])('mean over axes %j, with and without kept dimensions', (axes) => {
    for (const keepDims of [false, true]) {
      const { ours, generic } = bothWays(CPU_BROADCAST_KERNELS, () => tf.mean(randomTensor([3, 5, 6, 4], 8), axes, keepDims));
      expect(ours).toEqual(generic);
    }
  });

  test('a bias gradient (the sum of dy over batch and pixels) is the per-channel total', () => {
    CPU_BROADCAST_KERNELS.install('cpu');
    const dy = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]);
    expect(Array.from(tf.sum(dy, [0, 1, 2]).dataSync())).toEqual([16, 20]);
    CPU_BROADCAST_KERNELS.uninstall('cpu');
  });

  test('greater gives a bool tensor, as the generic kernel does (the leaky ReLU gradient compares x with 0)', () => {
    CPU_BROADCAST_KERNELS.install('cpu');
    const positive = tf.greater(tf.tensor2d([1, -2, 0, 3], [2, 2]), tf.scalar(0));
    CPU_BROADCAST_KERNELS.uninstall('cpu');
    expect(positive.dtype).toBe('bool');
    expect(Array.from(positive.dataSync())).toEqual([1, 0, 0, 1]);
  });

  test('int32 operands go to the generic kernel', () => {
    CPU_BROADCAST_KERNELS.install('cpu');
    const sum = tf.add(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor1d([10, 20], 'int32'));
    expect(sum.dtype).toBe('int32');
    expect(Array.from(sum.dataSync())).toEqual([11, 22, 13, 24]);
    CPU_BROADCAST_KERNELS.uninstall('cpu');
  });

  test('leaks no tensors', () => {
    CPU_BROADCAST_KERNELS.install('cpu');
    CPU_COPY_KERNELS.install('cpu');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.split(tf.sum(tf.add(randomTensor([2, 3, 4, 5], 1), randomTensor([5], 2)), [0]), [1, 3], 1);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('float32 tensors cast from bool share its bytes', () => {
  test('a mask cast to float32 is sliced, reversed, multiplied and summed by value', () => {
    const compute = () => {
      const mask = tf.cast(tf.greater(tf.tensor2d([1, -1, 2, -2, 3, -3], [2, 3]), 0), 'float32');
      return [tf.slice(mask, [0, 1], [2, 2]), tf.reverse(mask, 1), tf.mul(mask, tf.tensor1d([1, 2, 3])), tf.sum(mask, 0)];
    };
    CPU_COPY_KERNELS.install('cpu');
    const { ours, generic } = bothWays(CPU_BROADCAST_KERNELS, compute);
    CPU_COPY_KERNELS.uninstall('cpu');
    expect(ours).toEqual(generic);
    expect(ours[2]).toEqual([1, 0, 3, 0, 2, 0]);
  });
});
