import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { predictCommand } from '../../../apps/cli/predict-command.ts';
import { loadExperimentConfigFile, serializeConfigYaml } from '../../../shared/config/load-experiment-config.ts';
import { evaluateRun } from '../../../shared/evaluation/evaluate-run.ts';
import { evaluationPaths } from '../../../shared/evaluation/evaluation-paths.ts';
import { selectBackend } from '../../../shared/ml/backend/select-backend.ts';
import { trainRun } from '../../../shared/ml/training/train-run.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { writeTestImages } from './helpers/test-images.ts';

const RUN_ID = 'predict-run';
let directory: string;
let storage: string;
let images: string[];
const savedStorage = process.env.AELAB_STORAGE;

beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'aelab-predict-'));
  storage = join(directory, 'storage');
  images = writeTestImages(mkdir('images'), 3, 32);
  // One epoch of the smoke config on a few phantoms: a run with config.yaml and a `best` checkpoint.
  const { raw, config } = loadExperimentConfigFile('configs/smoke/baseline.yaml', {
    'trainer.params.nr_epochs': 1,
    'trainer.data_loader.params.args.train_count': 8,
    'trainer.data_loader.params.args.val_count': 4,
  });
  const store = new LocalArtifactStore(storage);
  await store.write(runPaths(RUN_ID).config, serializeConfigYaml(raw));
  await trainRun({ runId: RUN_ID, config, store, stopRequested: () => null, onWarning: () => undefined });
  process.env.AELAB_STORAGE = storage;
});

afterAll(() => {
  if (savedStorage === undefined) delete process.env.AELAB_STORAGE;
  else process.env.AELAB_STORAGE = savedStorage;
  rmSync(directory, { recursive: true, force: true });
});

function mkdir(name: string): string {
  const path = join(directory, name);
  mkdirSync(path, { recursive: true });
  return path;
}

describe('predictCommand', () => {
  test('--run uses the run’s best checkpoint and config; its checkpoint folder gives the same scores', async () => {
    const byRun = await predictCommand({ run: RUN_ID, out: join(directory, 'by-run'), images, depth: 16 });
    expect(byRun.scores.map((s) => s.file)).toEqual(images);
    for (const { score } of byRun.scores) expect(score).toBeGreaterThan(0);
    const png = decode(readFileSync(join(directory, 'by-run', 'image-0_residual.png')));
    expect([png.width, png.height, png.depth, png.channels]).toEqual([32, 32, 16, 1]);
    const meanResidual = Array.from(png.data).reduce((sum, v) => sum + v, 0) / png.data.length / 65535;
    expect(meanResidual).toBeCloseTo(byRun.scores[0].score, 4);

    // The alias folder of the run, found next to the run's config.yaml.
    const byFolder = await predictCommand({ checkpoint: join(storage, runPaths(RUN_ID).best), out: join(directory, 'by-folder'), images: [join(directory, 'images')] });
    expect(byFolder.scores).toEqual(byRun.scores);
    const csv = readFileSync(join(directory, 'by-folder', 'scores.csv'), 'utf8');
    expect(csv.trim().split('\n')).toEqual(['file,score', ...byRun.scores.map(({ file, score }) => `${file},${score}`)]);
  });

  test('predict and evaluation give each image the same score from the same checkpoint', async () => {
    // The run's config gains a downstream task that reads the same PNGs through a CSV; its model is unchanged.
    writeFileSync(join(directory, 'images.csv'), ['filename', ...images].join('\n'));
    const { raw } = loadExperimentConfigFile('configs/smoke/baseline.yaml');
    const csvSet = { data_dir: { test: ['images.csv'] } };
    const downstream = { name: 'csv', params: { args: { target_size: [32, 32], batch_size: 1 } }, datasets: { Normal_files: csvSet, Same_files: csvSet } };
    const store = new LocalArtifactStore(storage);
    await store.write(runPaths(RUN_ID).config, serializeConfigYaml({ ...raw, downstream_tasks: { files: { name: 'anomaly_detection', data_loader: downstream } } }));
    await evaluateRun({ runId: RUN_ID, evalId: 'e1', checkpoint: 'best', store, dataRoot: directory });
    const rows = (await store.readText(evaluationPaths(RUN_ID, 'e1').scores)).trim().split('\n').slice(1).map((line) => line.split(','));
    const evaluated = new Map(rows.filter((row) => row[1] === 'Normal_files').map((row) => [row[2], Number(row[4])]));

    const predicted = await predictCommand({ run: RUN_ID, out: join(directory, 'vs-evaluation'), images });
    expect(evaluated.size).toBe(images.length);
    for (const { file, score } of predicted.scores) expect(Math.abs(score - evaluated.get(file)!)).toBeLessThan(1e-6);
  });

  test('on webgpu (AELAB_BACKEND) it scores as on cpu: tensors are read back asynchronously', async () => {
    const onCpu = await predictCommand({ run: RUN_ID, out: join(directory, 'on-cpu'), images });
    const saved = process.env.AELAB_BACKEND;
    process.env.AELAB_BACKEND = 'webgpu';
    try {
      const onGpu = await predictCommand({ run: RUN_ID, out: join(directory, 'on-webgpu'), images });
      expect(tf.getBackend()).toBe('webgpu');
      expect(onGpu.scores.map((s) => s.file)).toEqual(images);
      onGpu.scores.forEach(({ score }, i) => expect(Math.abs(score - onCpu.scores[i].score)).toBeLessThan(1e-5));
    } finally {
      if (saved === undefined) delete process.env.AELAB_BACKEND;
      else process.env.AELAB_BACKEND = saved;
      await selectBackend('cpu');
    }
  });

  test('says what is wrong: no run, no weights named, a folder without a checkpoint, clashing names, a non-PNG', async () => {
    const out = join(directory, 'refused');
    await expect(predictCommand({ run: 'nope', out, images })).rejects.toThrow(`no run nope in ${storage} (AELAB_STORAGE)`);
    await expect(predictCommand({ out, images })).rejects.toThrow('exactly one of --run <id> and --checkpoint <folder>');
    await expect(predictCommand({ checkpoint: join(directory, 'images'), out, images })).rejects.toThrow('is not a checkpoint folder (no state.json)');
    const other = mkdir('other');
    writeFileSync(join(other, 'image-0.png'), readFileSync(images[0]));
    await expect(predictCommand({ run: RUN_ID, out, images: [images[0], join(other, 'image-0.png')] })).rejects.toThrow('would both write image-0_*.png');
    const text = join(other, 'notes.png');
    writeFileSync(text, 'not an image');
    await expect(predictCommand({ run: RUN_ID, out, images: [text] })).rejects.toThrow(`${text}: unsupported image format`);
  });
});
