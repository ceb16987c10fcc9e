import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random/seeded-random.ts';

/**
 * A tensor of independent N(0, 1) draws from `random`, filled in row-major order. Drawn on
 * the host from the run's seeded stream (not `tf.randomNormal`), so a checkpoint that
 * saves the stream's state resumes with the same noise.
 */
export function randomNormalTensor(random: SeededRandom, shape: readonly number[]): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = random.normal();
  return tf.tensor(values, [...shape], 'float32');
}
