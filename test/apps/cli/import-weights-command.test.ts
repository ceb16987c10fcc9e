import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importWeightsCommand } from '../../../apps/cli/import-weights-command.ts';
import { loadExperimentConfigFile } from '../../../shared/config/load-experiment-config.ts';
import { decodeGrayscaleImage } from '../../../shared/data/decode-grayscale-image.ts';
import { resizeBilinear } from '../../../shared/data/resize-bilinear.ts';
import type { AutoencoderModel } from '../../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../../shared/ml/backend/select-backend.ts';
import { buildModel } from '../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';
import { readCheckpointFolder } from '../../../shared/ml/weights/checkpoint-folder.ts';
import { exportStateDict } from '../../../shared/ml/weights/export-state-dict.ts';
import { writeSafetensors } from '../../../shared/ml/weights/safetensors.ts';
import { runCli } from './helpers/run-cli.ts';
import { writeTestImages } from './helpers/test-images.ts';

const SMOKE_CONFIG = 'configs/smoke/baseline.yaml';
let directory: string;
let original: AutoencoderModel;
let stateDict: string;

/** The smoke config's model (3 levels, 32×32) with BatchNorm statistics made non-trivial, so buffers matter. */
function smokeModel(seed: number, params?: Record<string, unknown>): AutoencoderModel {
  const { config } = loadExperimentConfigFile(SMOKE_CONFIG);
  const ref = params === undefined ? config.model : { name: config.model.name, params };
  const model = buildModel(ref, { mode: config.mode, random: new SeededRandom(seed), inputSize: [32, 32] });
  const random = new SeededRandom(seed + 1);
  for (const [name, buffer] of model.buffers) {
    if (name.endsWith('running_mean') || name.endsWith('running_var')) {
      buffer.assign(tf.tensor(Float32Array.from({ length: buffer.size }, () => random.uniform(0.2, 0.8)), buffer.shape));
    }
  }
  return model;
}

beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'aelab-import-weights-'));
  original = smokeModel(5);
  stateDict = join(directory, 'model.safetensors');
  writeFileSync(stateDict, writeSafetensors(exportStateDict(original)));
});

afterAll(() => {
  original?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

/** What the original model reconstructs from a PNG, through the data path predict uses. */
function expectedReconstruction(file: string): { xRec: Float32Array; score: number } {
  const image = decodeGrayscaleImage(readFileSync(file), file);
  const pixels = resizeBilinear(image.data, [image.height, image.width], [32, 32]);
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels, [1, 32, 32, 1]);
    const { xRec } = original.forward(x, { training: false });
    return { xRec: xRec.dataSync() as Float32Array, score: tf.mean(tf.abs(tf.sub(xRec, x))).dataSync()[0] };
  });
}

describe('aelab import-weights', () => {
  test('state_dict → import-weights → predict reconstructs as the original model (real CLI)', async () => {
    const images = writeTestImages(mkdirTemp('images'), 3, 40);
    const checkpoint = join(directory, 'checkpoint');
    const imported = await runCli(['import-weights', '--config', SMOKE_CONFIG, '--from', stateDict, '--out', checkpoint]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('imported 44 tensors (9,537 parameters) of conv_autoencoder (reference, 32×32)');

    const out = join(directory, 'predicted');
    const predicted = await runCli(['predict', '--checkpoint', checkpoint, '--out', out, ...images]);
    expect(predicted.stderr).toBe('');
    expect(predicted.code).toBe(0);

    const rows = readFileSync(join(out, 'scores.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('file,score');
    expect(rows).toHaveLength(4);
    images.forEach((file, k) => {
      const expected = expectedReconstruction(file);
      const [name, score] = rows[k + 1].split(',');
      expect(name).toBe(file);
      expect(Number(score)).toBeCloseTo(expected.score, 6);
      const png = decode(readFileSync(join(out, `image-${k}_reconstruction.png`)));
      expect([png.width, png.height, png.depth, png.channels]).toEqual([32, 32, 8, 1]);
      const worst = Math.max(...Array.from(png.data, (v, i) => Math.abs(v - Math.round(expected.xRec[i] * 255))));
      expect(worst).toBe(0);
      expect(readFileSync(join(out, `image-${k}_residual.png`)).length).toBeGreaterThan(0);
    });
  });

  test('bad inputs give one line naming the problem, exit code 1, no stack trace (real CLI)', async () => {
    const otherShape = smokeModel(1, { channels: [8, 16, 32], strides: [2, 2, 2] });
    const otherStateDict = join(directory, 'other.safetensors');
    writeFileSync(otherStateDict, writeSafetensors(exportStateDict(otherShape)));
    otherShape.dispose();
    const missing = join(directory, 'missing.safetensors');
    const results = await Promise.all([
      runCli(['import-weights', '--config', SMOKE_CONFIG, '--from', missing, '--out', join(directory, 'bad-1')]),
      runCli(['import-weights', '--model', 'ConvAutoEncodr', '--from', stateDict, '--out', join(directory, 'bad-2')]),
      runCli(['import-weights', '--config', SMOKE_CONFIG, '--from', otherStateDict, '--out', join(directory, 'bad-3')]),
    ]);
    const expected = [
      `aelab: cannot read the state_dict ${missing} (ENOENT)`,
      'aelab: --model: unknown model "ConvAutoEncodr"; known models: ',
      `aelab: ${otherStateDict} does not fit model conv_autoencoder: wrong shape or dtype (`,
    ];
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.stderr.slice(0, expected[i].length)).toBe(expected[i]);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
    expect(results[1].stderr).toMatch(/known models: .*conv_autoencoder/);
    expect(results[2].stderr).toContain('decoder.conv__decode_0.weight: shape [32, 32, 3, 3] in the weights, [16, 16, 3, 3] in the model');
  });
});

describe('importWeightsCommand', () => {
  test('--model with --params (a params file or a config file) and --size gives the same checkpoint as --config', async () => {
    const paramsFile = join(directory, 'params.yaml');
    writeFileSync(paramsFile, 'channels: [8, 16, 16]\nstrides: [2, 2, 2]\n');
    const fromParams = await importWeightsCommand({ from: stateDict, out: join(directory, 'from-params'), model: 'conv_autoencoder', params: paramsFile, size: [32, 32] });
    const fromConfigAsParams = await importWeightsCommand({ from: stateDict, out: join(directory, 'from-config-params'), model: 'conv_autoencoder', params: SMOKE_CONFIG, size: [32, 32] });
    const [a, b] = await Promise.all([readCheckpointFolder(fromParams), readCheckpointFolder(fromConfigAsParams)]);
    expect(a.model).toEqual({ model: { name: 'conv_autoencoder', params: { channels: [8, 16, 16], strides: [2, 2, 2] } }, mode: 'reference', inputSize: [32, 32] });
    expect(b.model?.model.params).toMatchObject({ channels: [8, 16, 16], act: 'swish' });
    expect([...a.weights.keys()]).toEqual([...b.weights.keys()]);
    expect(a.weights.get('decoder.conv__decode_final.weight')).toEqual(b.weights.get('decoder.conv__decode_final.weight'));
  });

  test('refuses conflicting options, bad params, a missing size fit and a folder that is not empty', async () => {
    const out = join(directory, 'refused');
    await expect(importWeightsCommand({ from: stateDict, out, config: SMOKE_CONFIG, size: [64, 64] })).rejects.toThrow(
      '--config gives the model, its params, size and mode; leave out --size',
    );
    await expect(importWeightsCommand({ from: stateDict, out })).rejects.toThrow('name the model: --config <experiment yaml>');
    await expect(importWeightsCommand({ from: stateDict, out, model: 'conv_autoencoder' })).rejects.toThrow('model.params.channels');
    await expect(importWeightsCommand({ from: stateDict, out, model: 'conv_autoencoder', mode: 'fixed' })).rejects.toThrow('--mode: expected reference or corrected');
    const occupied = mkdirTemp('occupied');
    writeFileSync(join(occupied, 'notes.txt'), 'keep me');
    await expect(importWeightsCommand({ from: stateDict, out: occupied, config: SMOKE_CONFIG })).rejects.toThrow('is not empty');
    expect(readFileSync(join(occupied, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

function mkdirTemp(name: string): string {
  const path = join(directory, name);
  mkdirSync(path, { recursive: true });
  return path;
}
