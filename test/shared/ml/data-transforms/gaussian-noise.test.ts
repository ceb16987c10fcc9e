import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../../../shared/config/config-error.ts';
import type { TrainerParams } from '../../../../shared/config/experiment-config.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { GaussianNoise } from '../../../../shared/ml/data-transforms/gaussian-noise.ts';
import { buildInputTransform } from '../../../../shared/ml/data-transforms/input-transform-registry.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** The noise the transform added to an all-ones batch, as [sample][channel][row][column]. */
function addedNoise(transform: GaussianNoise, batch: number, size: number, random: SeededRandom, channels = 1): number[][][][] {
  return tf.tidy(() => tf.transpose(tf.sub(transform.apply(tf.ones([batch, size, size, channels]), random), 1), [0, 3, 1, 2]).arraySync()) as number[][][][];
}

/** torch.roll along rows and columns: out[i][j] = in[(i − rx) mod h][(j − ry) mod w]. */
function torchRoll(grid: number[][], rx: number, ry: number): number[][] {
  const h = grid.length;
  const w = grid[0].length;
  return grid.map((_, i) => grid[0].map((__, j) => grid[(i - rx + h) % h][(j - ry + w) % w]));
}

describe('GaussianNoise (the DAE input corruption)', () => {
  test('draws B·C·res² normals in NCHW order, then one (rx, ry) roll shared by the whole batch', () => {
    const size = 6;
    const seed = new SeededRandom(11);
    const replay = SeededRandom.fromState(seed.state());
    const noise = addedNoise(new GaussianNoise({ noise_std: 0.2, noise_res: size }), 2, size, seed, 2);
    // At res = image size the align-corners upsampling is the identity: only the roll moves values.
    const drawn = [0, 1].map(() => [0, 1].map(() => Array.from({ length: size }, () => Array.from({ length: size }, () => replay.normal(0, 0.2)))));
    const rx = replay.nextInt(size);
    const ry = replay.nextInt(size);
    expect(seed.state()).toEqual(replay.state());
    for (const k of [0, 1]) {
      for (const c of [0, 1]) {
        const expected = torchRoll(drawn[k][c], rx, ry);
        noise[k][c].forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i][j], 6)));
      }
    }
  });

  test('upsamples the coarse noise bilinearly with aligned corners', () => {
    const seed = new SeededRandom(5);
    const replay = SeededRandom.fromState(seed.state());
    const [[noise]] = addedNoise(new GaussianNoise({ noise_std: 1, noise_res: 2 }), 1, 3, seed);
    const [a, b, c, d] = Array.from({ length: 4 }, () => replay.normal(0, 1));
    const upsampled = [
      [a, (a + b) / 2, b],
      [(a + c) / 2, (a + b + c + d) / 4, (b + d) / 2],
      [c, (c + d) / 2, d],
    ];
    const expected = torchRoll(upsampled, replay.nextInt(3), replay.nextInt(3));
    noise.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i][j], 5)));
  });

  test('has the configured std before masking, and is reproducible from the seed', () => {
    const transform = new GaussianNoise({ noise_std: 0.2, noise_res: 32 });
    const values = addedNoise(transform, 4, 32, new SeededRandom(1)).flat(3);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeGreaterThan(0.19);
    expect(std).toBeLessThan(0.21);
    expect(addedNoise(transform, 4, 32, new SeededRandom(1)).flat(3)).toEqual(values);
    expect(addedNoise(transform, 4, 32, new SeededRandom(2)).flat(3)).not.toEqual(values);
  });

  test('leaves pixels whose channel sum is at most 0.01 untouched and does not clip', () => {
    // Two channels; left column background (sum 0.01), right column foreground (sum 0.012).
    const x = tf.tensor4d([0.005, 0.005, 0.006, 0.006, 0.005, 0.005, 0.006, 0.006], [1, 2, 2, 2]);
    const y = tf.tidy(() => new GaussianNoise({ noise_std: 5, noise_res: 2 }).apply(x, new SeededRandom(3)).arraySync());
    const [[row0, row1]] = y;
    for (const row of [row0, row1]) {
      expect(row[0]).toEqual([0.005, 0.005].map((v) => Math.fround(v)));
      expect(row[1].some((v) => Math.abs(v - 0.006) > 0.01)).toBe(true);
    }
    // std 5: some noised value leaves [0, 1], and stays there.
    expect([row0[1], row1[1]].flat().some((v) => v < 0 || v > 1)).toBe(true);
  });
});

describe('buildInputTransform', () => {
  const params = (transformer: unknown): TrainerParams => ({
    nrEpochs: 1,
    lr: 1e-4,
    patience: 25,
    alfa: 0,
    beta: 3,
    delta: 1,
    maxIter: 200,
    lrScheduler: 'cosine',
    loss: { name: 'l1', params: {} },
    selectOn: null,
    selectEvery: 1,
    keepCheckpoints: 1,
    extra: transformer === undefined ? {} : { transformer },
  });

  test('builds gaussian_noise from trainer.params.transformer, nothing when the key is absent', () => {
    expect(buildInputTransform(params({ name: 'gaussian_noise', params: { noise_std: 0.2, noise_res: 16 } }))?.name).toBe('gaussian_noise');
    expect(buildInputTransform(params(undefined))).toBeUndefined();
  });

  test('names the key of an unknown transform or a bad parameter', () => {
    expect(() => buildInputTransform(params({ name: 'blur', params: {} }))).toThrow(/trainer\.params\.transformer: no input transform "blur".*gaussian_noise/);
    const bad = () => buildInputTransform(params({ name: 'gaussian_noise', params: { noise_std: -1, noise_sd: 2 } }));
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/trainer\.params\.transformer\.params\.noise_std: .*\n.*trainer\.params\.transformer\.params\.noise_sd: unknown parameter/s);
  });
});
