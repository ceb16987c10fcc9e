import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureGradientsRegistered } from '../../../../shared/ml/backend/register-gradients.ts';
import { makeActivation } from '../../../../shared/ml/layers/activation.ts';
import { BatchNorm2d, type BatchNormMode } from '../../../../shared/ml/layers/batch-norm2d.ts';
import { channelEpilogueAvailable, installChannelEpilogueKernels, uninstallChannelEpilogueKernels } from '../../../../shared/ml/layers/channel-epilogue-kernels.ts';
import { Conv2d } from '../../../../shared/ml/layers/conv2d.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { type ConvNormActivation, convNormActivation, convNormActivationTensors } from '../../../../shared/ml/models/conv-epilogue.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { expectClose, uniform } from '../layers/helpers/close-values.ts';

const SHAPE: [number, number, number, number] = [2, 9, 9, 3];
const OUT_CHANNELS = 6;

interface LevelResults {
  output: Float32Array;
  conv: Float32Array | undefined;
  grads: Float32Array[];
}

function makeLevel(store: ParameterStore, mode: BatchNormMode): ConvNormActivation {
  const conv = new Conv2d(store, 'conv', { inChannels: SHAPE[3], outChannels: OUT_CHANNELS, kernelSize: 3, stride: 2, padding: 1 });
  const norm = new BatchNorm2d(store, 'bn', { numFeatures: OUT_CHANNELS, mode });
  norm.weight.assign(tf.tensor1d(uniform(OUT_CHANNELS, 3, 0.5, 1.5)));
  norm.bias.assign(tf.tensor1d(uniform(OUT_CHANNELS, 4, -1, 1)));
  norm.runningMean.assign(tf.tensor1d(uniform(OUT_CHANNELS, 5, -0.5, 0.5)));
  norm.runningVar.assign(tf.tensor1d(uniform(OUT_CHANNELS, 6, 0.2, 3)));
  return { conv, norm, activation: makeActivation('swish', 1) };
}

/** The level's output (and conv output when kept), and the gradients of Σ r ⊙ output to every trainable variable. */
function levelResults(keepConv: boolean, mode: BatchNormMode = 'frozen'): LevelResults {
  const store = new ParameterStore(new SeededRandom(7));
  const level = makeLevel(store, mode);
  const results = tf.tidy(() => {
    const x = tf.tensor4d(uniform(tf.util.sizeFromShape(SHAPE), 1, -2, 2), SHAPE);
    const run = () => (keepConv ? convNormActivationTensors(level, x, true) : { output: convNormActivation(level, x, true), conv: undefined });
    const first = run();
    const r = tf.tensor(uniform(first.output.size, 2, -1, 1), first.output.shape);
    const variables = [level.conv.bias!, level.norm!.weight, level.norm!.bias, (level.conv as Conv2d).weight];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(r, run().output)) as tf.Scalar, variables);
    value.dispose();
    return { output: first.output.dataSync() as Float32Array, conv: first.conv?.dataSync() as Float32Array | undefined, grads: variables.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
  store.dispose();
  return results;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  await tf.setBackend('cpu');
});

afterAll(() => {
  uninstallChannelEpilogueKernels('cpu');
});

describe('conv → frozen BatchNorm → activation through the channel epilogue', () => {
  test.each([false, true])('equals the layers run one by one, gradients to conv bias, weight and BatchNorm affine included (conv output kept: %s)', (keepConv) => {
    uninstallChannelEpilogueKernels('cpu');
    const generic = levelResults(keepConv);
    expect(installChannelEpilogueKernels('cpu')).toBe(true);
    expect(channelEpilogueAvailable()).toBe(true);
    const fused = levelResults(keepConv);
    expectClose(fused.output, generic.output, 1e-5);
    if (keepConv) expect(fused.conv).toEqual(generic.conv);
    fused.grads.forEach((grad, i) => expectClose(grad, generic.grads[i], 1e-5));
  });

  test('train-mode BatchNorm while training keeps its batch statistics (the generic path)', () => {
    uninstallChannelEpilogueKernels('cpu');
    const generic = levelResults(false, 'train');
    installChannelEpilogueKernels('cpu');
    expect(levelResults(false, 'train')).toEqual(generic);
  });
});
