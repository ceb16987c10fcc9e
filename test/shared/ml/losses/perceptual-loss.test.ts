import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import {
  createPerceptualLoss,
  PERCEPTUAL_TAPS,
  VGG19_EXPORT_PYTHON,
  VGG19_PERCEPTUAL_CONVS,
  type PerceptualLoss,
} from '../../../../shared/ml/losses/perceptual-loss.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import type { SafetensorsTensor } from '../../../../shared/ml/weights/safetensors.ts';
import { TORCHVISION_VGG19_CONVS, vgg19StateDict, writeStateDictFile } from './helpers/vgg19-weights.ts';

let directory: string;
let randomWeights: string;
let loss: PerceptualLoss;
let seeded: Map<string, SafetensorsTensor>;

beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'aelab-perceptual-'));
  seeded = vgg19StateDict(1);
  randomWeights = writeStateDictFile(join(directory, 'vgg19-random.safetensors'), seeded);
  loss = createPerceptualLoss(randomWeights);
});

afterAll(() => {
  loss?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

function image(seed: number, size: number, channels = 1): tf.Tensor4D {
  const random = new SeededRandom(seed);
  return tf.tensor4d(Float32Array.from({ length: size * size * channels }, () => random.nextFloat()), [1, size, size, channels]);
}

const value = (scalar: tf.Scalar): number => {
  const out = scalar.dataSync()[0];
  scalar.dispose();
  return out;
};

describe('VGG19 perceptual network', () => {
  test('runs torchvision features 0–20: nine convs, 3,505,728 parameters, taps relu1_1 … relu4_1', () => {
    expect(VGG19_PERCEPTUAL_CONVS.map((c) => [c.index, c.inChannels, c.outChannels])).toEqual(TORCHVISION_VGG19_CONVS);
    const parameters = VGG19_PERCEPTUAL_CONVS.reduce((sum, c) => sum + c.outChannels * c.inChannels * 9 + c.outChannels, 0);
    expect(parameters).toBe(3_505_728);
    expect(PERCEPTUAL_TAPS).toEqual(['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1']);
  });

  test('the four taps of a 32×32 input are 32×32×64, 16×16×128, 8×8×256, 4×4×512', () => {
    const x = image(1, 32);
    const taps = loss.features(x);
    expect(taps.map((t) => t.shape)).toEqual([
      [1, 32, 32, 64],
      [1, 16, 16, 128],
      [1, 8, 8, 256],
      [1, 4, 4, 512],
    ]);
    // Post-ReLU features.
    expect(Math.min(...taps.map((t) => tf.min(t).dataSync()[0]))).toBe(0);
    tf.dispose([x, ...taps]);
  });

  test('PL(x, x) = 0, PL > 0 for different images, symmetric, and gray equals gray repeated to RGB', () => {
    const x = image(1, 16);
    const y = image(2, 16);
    expect(value(loss.apply(x, x))).toBe(0);
    const pl = value(loss.apply(x, y));
    expect(pl).toBeGreaterThan(0);
    expect(value(loss.apply(y, x))).toBeCloseTo(pl, 6);
    const rgbX = tf.tile(x, [1, 1, 1, 3]) as tf.Tensor4D;
    const rgbY = tf.tile(y, [1, 1, 1, 3]) as tf.Tensor4D;
    expect(value(loss.apply(rgbX, rgbY))).toBeCloseTo(pl, 6);
    tf.dispose([x, y, rgbX, rgbY]);
  });

  test('gradients reach the input (matching a finite difference) and no VGG weight is a variable', () => {
    const variablesBefore = Object.keys(tf.engine().registeredVariables).length;
    const second = createPerceptualLoss(randomWeights);
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(variablesBefore);
    second.dispose();

    const x = image(3, 16);
    const target = image(4, 16);
    const gradient = tf.grad((input: tf.Tensor) => loss.apply(input as tf.Tensor4D, target))(x);
    const norm2 = tf.sum(tf.square(gradient)).dataSync()[0];
    expect(norm2).toBeGreaterThan(0);
    expect(Number.isFinite(norm2)).toBe(true);
    // Directional derivative along the gradient: (L(x + εg) − L(x − εg)) / 2ε ≈ |g|².
    const epsilon = 1e-2 / Math.sqrt(norm2);
    const plus = tf.add(x, tf.mul(gradient, epsilon)) as tf.Tensor4D;
    const minus = tf.sub(x, tf.mul(gradient, epsilon)) as tf.Tensor4D;
    const difference = (value(loss.apply(plus, target)) - value(loss.apply(minus, target))) / (2 * epsilon);
    expect(Math.abs(difference - norm2) / norm2).toBeLessThan(0.02);

    // variableGrads differentiates every trainable variable: only the caller's one shows up.
    const scale = tf.variable(tf.scalar(1.5));
    const { grads, value: total } = tf.variableGrads(() => loss.apply(tf.mul(x, scale) as tf.Tensor4D, target));
    expect(Object.keys(grads)).toEqual([scale.name]);
    expect(Math.abs(grads[scale.name].dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, target, gradient, plus, minus, scale, total, ...Object.values(grads)]);
  });

  test('hand-checked relu1_1 case: a shifted pass-through channel, a negated one that ReLU zeroes, padding 1, no normalisation', () => {
    // conv1_1 channel 0 = Σ_rgb (1/3)·x at kernel position (row 0, col 2), i.e. out(i, j) = x(i−1, j+1);
    // channel 1 = the same with −1/3, which ReLU turns to 0; every other weight and bias 0.
    const weights = createPerceptualLoss(
      writeStateDictFile(
        join(directory, 'vgg19-hand.safetensors'),
        vgg19StateDict(0, (name, size) => {
          const values = new Float32Array(size);
          if (name === 'features.0.weight') {
            // PyTorch layout (out 64, in 3, kh 3, kw 3).
            for (let i = 0; i < 3; i++) {
              values[((0 * 3 + i) * 3 + 0) * 3 + 2] = 1 / 3;
              values[((1 * 3 + i) * 3 + 0) * 3 + 2] = -1 / 3;
            }
          }
          return values;
        }),
      ),
    );
    // One bright pixel in the top-right corner of an 8×8 image, against black.
    const pixels = new Float32Array(64);
    pixels[7] = 1;
    const x = tf.tensor4d(pixels, [1, 8, 8, 1]);
    const black = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    // relu1_1 differs only in channel 0 at (1, 6), by 1: mean over 8·8·64 values → 1/4096;
    // relu2_1 … relu4_1 are all zero for both images.
    expect(value(weights.apply(x, black))).toBeCloseTo(1 / 4096, 9);
    // dPL/dx(0, 7) = 2·1/4096 through the three repeated channels (each 1/3); 0 elsewhere.
    const gradient = tf.grad((input: tf.Tensor) => weights.apply(input as tf.Tensor4D, black))(x);
    const expected = new Float32Array(64);
    expected[7] = 2 / 4096;
    expect(Array.from(gradient.dataSync()).map((g) => Number(g.toPrecision(6)))).toEqual(Array.from(expected).map((g) => Number(g.toPrecision(6))));
    tf.dispose([x, black, gradient]);
    weights.dispose();
  });
});

describe('VGG19 weights file', () => {
  test('a missing file names the path and gives the Python that writes it', () => {
    const missing = join(directory, 'nope.safetensors');
    expect(() => createPerceptualLoss(missing)).toThrow(`cannot read the VGG19 weights file ${missing} (ENOENT)`);
    expect(() => createPerceptualLoss(missing)).toThrow(VGG19_EXPORT_PYTHON);
  });

  test('missing tensors and wrong shapes are named', () => {
    const tensors = new Map(seeded);
    tensors.delete('features.19.bias');
    tensors.set('features.5.weight', { dtype: 'F32', shape: [128, 64, 1, 1], data: new Float32Array(128 * 64) });
    const path = writeStateDictFile(join(directory, 'vgg19-broken.safetensors'), tensors);
    expect(() => createPerceptualLoss(path)).toThrow(
      `${path} is not a torchvision VGG19 features state_dict: missing features.19.bias; ` +
        'features.5.weight has shape [128, 64, 1, 1], expected [128, 64, 3, 3] (conv2_1)',
    );
  });

  test('names without the "features." prefix get a hint; extra entries (the classifier) are ignored', () => {
    const unprefixed = new Map([...seeded].map(([name, tensor]) => [name.replace('features.', ''), tensor]));
    const path = writeStateDictFile(join(directory, 'vgg19-unprefixed.safetensors'), unprefixed);
    expect(() => createPerceptualLoss(path)).toThrow('its names lack the "features." prefix');

    const full = new Map(seeded);
    full.set('classifier.6.bias', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    full.set('features.21.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    createPerceptualLoss(writeStateDictFile(join(directory, 'vgg19-full.safetensors'), full)).dispose();
  });
});
