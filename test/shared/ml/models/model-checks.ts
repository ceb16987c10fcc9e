import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { AutoencoderModel, ModelOutputs } from '../../../../shared/ml/autoencoder-model.ts';

/** A batch of uniform random single-channel images (NHWC), the same for the same seed. */
export const randomImages = (batch: number, size: number, seed = 3): tf.Tensor4D => tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', seed) as tf.Tensor4D;

/**
 * One forward pass in evaluation mode on random images: the reconstruction has the input's
 * shape with every value strictly inside (0, 1), as a sigmoid output, the latent has
 * `latentShape`, and the pass leaks no tensor. Returns the (disposed) outputs for further checks.
 */
export function expectSigmoidForward(model: AutoencoderModel, batch: number, size: number, latentShape: number[]): ModelOutputs {
  const before = tf.memory().numTensors;
  const input = randomImages(batch, size);
  const out = model.forward(input, { training: false });
  expect(out.xRec.shape).toEqual([batch, size, size, 1]);
  expect(out.z!.shape).toEqual(latentShape);
  const values = out.xRec.dataSync();
  expect(Math.min(...values)).toBeGreaterThan(0);
  expect(Math.max(...values)).toBeLessThan(1);
  tf.dispose([input, out.xRec, out.z!]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}
