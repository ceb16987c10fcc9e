import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l1Loss } from '../../../../shared/ml/losses/l1-loss.ts';
import { l2Loss } from '../../../../shared/ml/losses/l2-loss.ts';
import { buildReconstructionLoss } from '../../../../shared/ml/losses/reconstruction-loss-registry.ts';
import { useCpuBackend } from '../training/helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

describe('reconstruction losses', () => {
  const prediction = () => tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]);
  const target = () => tf.tensor4d([1, 0.5, 0, 0.75], [1, 2, 2, 1]);

  it('l1 is the mean absolute error over all elements', () => {
    expect(l1Loss(prediction(), target()).dataSync()[0]).toBeCloseTo((1 + 0 + 1 + 0.5) / 4, 7);
  });

  it('l2 is the mean squared error over all elements', () => {
    expect(l2Loss(prediction(), target()).dataSync()[0]).toBeCloseTo((1 + 0 + 1 + 0.25) / 4, 7);
  });

  it('the registry maps config names to the criteria', () => {
    expect(buildReconstructionLoss({ name: 'l1', params: {} })).toBe(l1Loss);
    expect(buildReconstructionLoss({ name: 'l2', params: {} })).toBe(l2Loss);
  });

  it('an unknown name is refused with the known ones listed', () => {
    expect(() => buildReconstructionLoss({ name: 'huber', params: {} })).toThrow(/trainer\.params\.loss.*"huber".*known: l1, l2/);
    expect(() => buildReconstructionLoss({ name: 'toString', params: {} })).toThrow(/known: l1, l2/);
  });
});
