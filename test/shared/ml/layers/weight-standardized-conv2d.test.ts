import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { ParameterStore } from '../../../../shared/ml/layers/parameter-store.ts';
import { WeightStandardizedConv2d } from '../../../../shared/ml/layers/weight-standardized-conv2d.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A 1→1 3×3 layer whose raw filter is 1..9 (row-major) and bias 0.5. */
function rampLayer(): { layer: WeightStandardizedConv2d; store: ParameterStore } {
  const store = new ParameterStore(new SeededRandom(0));
  const layer = new WeightStandardizedConv2d(store, 'conv', { inChannels: 1, outChannels: 1, kernelSize: 3 });
  layer.weight.assign(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 1, 1]));
  layer.bias!.assign(tf.tensor1d([0.5]));
  return { layer, store };
}

// Filter 1..9: mean 5, centred −4..4, unbiased variance 60/8 = 7.5.
const STD = Math.sqrt(7.5) + 1e-5;

describe('WeightStandardizedConv2d (official WNConv2d)', () => {
  test('standardises each filter with the unbiased std plus 1e-5 and keeps the bias', () => {
    const { layer, store } = rampLayer();
    const w = Array.from(layer.standardizedWeight().dataSync());
    w.forEach((value, i) => expect(value).toBeCloseTo((i + 1 - 5) / STD, 6));
    // A one-hot input at the top-left picks (1 − 5)/std; the bias is added unchanged.
    const corner = tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 3, 1]);
    expect(layer.apply(corner).dataSync()[0]).toBeCloseTo(-4 / STD + 0.5, 6);
    // A constant input sees a zero-mean filter: only the bias remains.
    expect(layer.apply(tf.fill([1, 3, 3, 1], 7) as tf.Tensor4D).dataSync()[0]).toBeCloseTo(0.5, 5);
    store.dispose();
  });

  test('standardises per output filter over (in, kh, kw), and uses no padding', () => {
    const store = new ParameterStore(new SeededRandom(0));
    const layer = new WeightStandardizedConv2d(store, 'conv', { inChannels: 2, outChannels: 2, kernelSize: 1 });
    // TF.js (1, 1, in, out): filter 0 = [1, 3] (std √2), filter 1 = [10, 10.5] (std √0.125).
    layer.weight.assign(tf.tensor4d([1, 10, 3, 10.5], [1, 1, 2, 2]));
    const w = Array.from(layer.standardizedWeight().dataSync());
    const expected = [-1 / (Math.SQRT2 + 1e-5), -0.25 / (Math.sqrt(0.125) + 1e-5), 1 / (Math.SQRT2 + 1e-5), 0.25 / (Math.sqrt(0.125) + 1e-5)];
    w.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    expect(layer.apply(tf.zeros([1, 4, 5, 2])).shape).toEqual([1, 4, 5, 2]);
    store.dispose();
  });

  test('the gradient flows through the standardisation: it ignores shifts and scalings of the filter', () => {
    const store = new ParameterStore(new SeededRandom(3));
    const layer = new WeightStandardizedConv2d(store, 'conv', { inChannels: 2, outChannels: 1, kernelSize: 3 });
    const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const target = tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 2);
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(layer.apply(x), target))) as tf.Scalar, [layer.weight]);
    const g = grads[layer.weight.name];
    const w = layer.weight;
    const norm = Math.sqrt(tf.sum(tf.square(g)).dataSync()[0]);
    expect(norm).toBeGreaterThan(1e-3);
    // The output does not change when the raw filter is shifted or scaled (up to the
    // 1e-5 epsilon), so the gradient is orthogonal to the all-ones and the filter directions.
    expect(Math.abs(tf.sum(g).dataSync()[0]) / norm).toBeLessThan(1e-4);
    const centred = tf.sub(w, tf.mean(w));
    const cosine = tf.sum(tf.mul(g, centred)).dataSync()[0] / (norm * Math.sqrt(tf.sum(tf.square(centred)).dataSync()[0]));
    expect(Math.abs(cosine)).toBeLessThan(1e-3);
    store.dispose();
  });
});
