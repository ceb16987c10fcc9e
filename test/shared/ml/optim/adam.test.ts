import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../../../shared/ml/optim/adam.ts';
import { useCpuBackend } from '../training/helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

function parameters(values: number[]): Map<string, tf.Variable> {
  return new Map([['w', tf.variable(tf.tensor1d(values))]]);
}

function step(optimizer: Adam, params: Map<string, tf.Variable>, gradient: number[]): void {
  const grad = tf.tensor1d(gradient);
  optimizer.applyGradients(new Map([['w', grad]]));
  grad.dispose();
}

/** PyTorch 1.9 Adam on one scalar, in double precision. */
function referenceAdam(w0: number, grads: number[], lr: number, weightDecay = 0, amsgrad = false): number {
  let [w, m, v, vmax] = [w0, 0, 0, 0];
  grads.forEach((g0, index) => {
    const t = index + 1;
    const g = g0 + weightDecay * w;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    vmax = Math.max(vmax, v);
    const denominator = Math.sqrt(amsgrad ? vmax : v) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
    w -= (lr / (1 - 0.9 ** t)) * (m / denominator);
  });
  return w;
}

describe('Adam', () => {
  it('follows the PyTorch update (bias-corrected moments, epsilon 1e-8)', () => {
    const params = parameters([1, -2]);
    const adam = new Adam(params, { lr: 0.1 });
    const grads = [[0.5, 1e-3], [-0.2, 2e-3], [0.7, -1e-3]];
    for (const gradient of grads) step(adam, params, gradient);
    const got = params.get('w')!.dataSync();
    expect(got[0]).toBeCloseTo(referenceAdam(1, grads.map((g) => g[0]), 0.1), 6);
    expect(got[1]).toBeCloseTo(referenceAdam(-2, grads.map((g) => g[1]), 0.1), 6);
  });

  it('applies AMSGrad and coupled weight decay when asked (the official cosine setting)', () => {
    const params = parameters([1]);
    const adam = new Adam(params, { lr: 0.05, amsgrad: true, weightDecay: 1e-2 });
    const grads = [2, 0.1, 0.1, -0.3];
    for (const g of grads) step(adam, params, [g]);
    expect(params.get('w')!.dataSync()[0]).toBeCloseTo(referenceAdam(1, grads, 0.05, 1e-2, true), 6);
    expect(referenceAdam(1, grads, 0.05, 1e-2, true)).not.toBeCloseTo(referenceAdam(1, grads, 0.05), 4);
  });

  it('leaves a parameter without gradient alone, with its own step count', () => {
    const params = new Map([
      ['a', tf.variable(tf.scalar(1))],
      ['b', tf.variable(tf.scalar(1))],
    ]);
    const adam = new Adam(params, { lr: 0.1 });
    const grad = tf.scalar(1);
    adam.applyGradients(new Map([['a', grad]]));
    adam.applyGradients(new Map([['a', grad]]));
    adam.applyGradients(new Map([['b', grad]]));
    expect(params.get('b')!.dataSync()[0]).toBeCloseTo(0.9, 6);
    expect(adam.stateMeta().steps).toEqual({ a: 2, b: 1 });
  });

  it('a restored state continues bit for bit, matched by parameter name', async () => {
    const grads = Array.from({ length: 12 }, (_, k) => [Math.sin(k) * 0.3, Math.cos(3 * k) * 1e-3, k % 3 === 0 ? 5 : -0.01]);
    const straight = parameters([0.3, -0.7, 1.1]);
    const adam = new Adam(straight, { lr: 1e-3 });
    for (const g of grads.slice(0, 7)) step(adam, straight, g);

    // Save: settings and counts as JSON, moments copied to host memory, in reverse order.
    const meta = JSON.parse(JSON.stringify(adam.stateMeta()));
    const saved = [...adam.stateSlots()].reverse().map(([name, tensor]) => [name, tensor.dataSync().slice(), tensor.shape] as const);
    const restoredParams = parameters(Array.from(straight.get('w')!.dataSync()));
    const restored = new Adam(restoredParams, { lr: 1e-3 });
    const slots = new Map(saved.map(([name, values, shape]) => [name, tf.tensor(values, shape)]));
    restored.restore(meta, slots);
    tf.dispose([...slots.values()]);

    for (const g of grads.slice(7)) {
      step(adam, straight, g);
      step(restored, restoredParams, g);
    }
    expect(Array.from(restoredParams.get('w')!.dataSync())).toEqual(Array.from(straight.get('w')!.dataSync()));
  });

  it('refuses a state whose moments do not fit the parameters', () => {
    const params = parameters([1, 2]);
    const adam = new Adam(params, { lr: 0.1 });
    const meta = { kind: 'adam' as const, settings: { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: false }, steps: { w: 3 } };
    const wrong = new Map([
      ['w/exp_avg', tf.zeros([3])],
      ['w/exp_avg_sq', tf.zeros([3])],
    ]);
    expect(() => adam.restore(meta, wrong)).toThrow(/"w\/exp_avg" has shape \[3\], parameter is \[2\]/);
    expect(() => adam.restore({ ...meta, steps: { v: 3 } }, wrong)).toThrow(/parameter "v", which the model does not have/);
    expect(() => adam.restore({ ...meta, settings: { ...meta.settings, amsgrad: true } }, wrong)).toThrow(/amsgrad/);
  });

  it('keeps no tensors per step', () => {
    const params = parameters([1, 2, 3]);
    const adam = new Adam(params, { lr: 0.1 });
    step(adam, params, [1, 1, 1]);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) step(adam, params, [1, -1, 0.5]);
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });
});
