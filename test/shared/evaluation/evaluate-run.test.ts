import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEvaluationRun } from '../../../bench/evaluation-fixture.ts';
import { parseExperimentConfigText } from '../../../shared/config/load-experiment-config.ts';
import { iterateBatches, sequentialOrder } from '../../../shared/data/batch-iterator.ts';
import { CsvImageDataset } from '../../../shared/data/csv-image-dataset.ts';
import { evaluateRun } from '../../../shared/evaluation/evaluate-run.ts';
import { auroc } from '../../../shared/evaluation/metrics/index.ts';
import { stripLayout } from '../../../shared/evaluation/pictures/strip-chart.ts';
import { selectBackend } from '../../../shared/ml/backend/select-backend.ts';
import { buildModel } from '../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';
import { loadCheckpoint, restoreWeights } from '../../../shared/ml/training/checkpoint.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { runPaths } from '../../../shared/storage/run-paths.ts';
import { decodeRgb } from './pictures/decode-rgb.ts';

const CONFIG = path.resolve('configs/experiments/cxr/baseline.yaml');
/** More normal images than one forward pass holds at 32², so the normal set spans two. */
const NORMALS = 260;
const ANOMALOUS = 5;

describe('evaluateRun scores every image as a forward pass of that image alone would', () => {
  let root: string;
  let store: LocalArtifactStore;
  let dataDir: string;

  beforeAll(async () => {
    await selectBackend('cpu');
    root = await mkdtemp(path.join(tmpdir(), 'aelab-evaluate-'));
    store = new LocalArtifactStore(path.join(root, 'storage'));
    dataDir = path.join(root, 'data');
    await prepareEvaluationRun({
      configPath: CONFIG,
      size: 32,
      normalCount: NORMALS,
      anomalousCount: ANOMALOUS,
      dataDir,
      store,
      runId: 'r-eval',
      overrides: { 'model.params.channels': [4, 8, 8], 'model.params.strides': [2, 2, 2] },
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** Mean |x_rec − x| of each image of a CSV, one image per forward pass. */
  async function scoresOneByOne(csv: string): Promise<number[]> {
    const { config } = parseExperimentConfigText(await store.readText(runPaths('r-eval').config), 'config.yaml');
    const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(config.seed), inputSize: [32, 32] });
    restoreWeights(model, (await loadCheckpoint(store, 'r-eval', 'best'))!);
    const dataset = await CsvImageDataset.open({ csvs: [csv], dataRoot: dataDir, size: [32, 32], resize: 'antialias' });
    const scores: number[] = [];
    for await (const batch of iterateBatches(dataset, { batchSize: 1, order: sequentialOrder(dataset.size) })) {
      const rec = tf.tidy(() => model.forward(tf.tensor4d(batch.images, [1, 32, 32, 1]), { training: false }).xRec.dataSync());
      let sumAbs = 0;
      for (let p = 0; p < rec.length; p += 1) sumAbs += Math.abs(rec[p] - batch.images[p]);
      scores.push(sumAbs / rec.length);
    }
    model.dispose();
    return scores;
  }

  it('writes the scores and AUROC of one image per forward pass, and pictures of the first four images of each set only', async () => {
    let lastProgress = [0, 0];
    const [task] = await evaluateRun({ runId: 'r-eval', evalId: 'e1', checkpoint: 'best', store, dataRoot: dataDir, onProgress: (scored, total) => void (lastProgress = [scored, total]) });
    expect(lastProgress).toEqual([NORMALS + ANOMALOUS, NORMALS + ANOMALOUS]);

    const normal = await scoresOneByOne('normal_test.csv');
    const anomalous = await scoresOneByOne('opacity_test.csv');
    const rows = (await store.readText('runs/r-eval/eval/e1/scores.csv')).trim().split('\n').slice(1).map((row) => row.split(','));
    // Batched convolutions may sum in another order (BLAS blocking depends on the batch), so
    // the scores agree to float32 rounding rather than bit for bit.
    const written = rows.map((row) => Number(row[4]));
    const alone = [...normal, ...anomalous];
    expect(written).toHaveLength(alone.length);
    written.forEach((score, i) => expect(Math.abs(score - alone[i]), `image ${i}`).toBeLessThan(1e-7));
    expect(task.datasets[0].auroc).toBe(auroc(written, [...normal.map(() => 0), ...anomalous.map(() => 1)]));
    expect(task.datasets[0].auroc).toBe(auroc(alone, [...normal.map(() => 0), ...anomalous.map(() => 1)]));
    expect(task.normal_l1).toBeCloseTo(normal.reduce((a, b) => a + b, 0) / NORMALS, 7);

    const strips = task.pictures.filter((picture) => /-\d{3}\.png$/.test(picture));
    const firstFour = (set: string) => [0, 1, 2, 3].map((i) => `pictures/pneumonia/${set}-00${i}.png`);
    expect(strips).toEqual([...firstFour('Normal_phantoms'), ...firstFour('Opacity_phantoms')]);
  });

  it('draws each strip with the test image and the gallery tiles at their places, 4× enlarged to 128 pixels', async () => {
    const dataset = await CsvImageDataset.open({ csvs: ['normal_test.csv'], dataRoot: dataDir, size: [32, 32], resize: 'antialias' });
    const first = (await iterateBatches(dataset, { batchSize: 1, order: sequentialOrder(1) }).next()).value!.images;
    const strip = decodeRgb(await store.read('runs/r-eval/eval/e1/pictures/pneumonia/Normal_phantoms-000.png'));
    const tiles = ['reconstruction', 'residual'].map(async (name) => decodeRgb(await store.read(`runs/r-eval/eval/e1/pictures/pneumonia/samples/Normal_phantoms-000-${name}.png`)));
    const [reconstruction, residual] = await Promise.all(tiles);
    const blank = new Float32Array(32 * 32);
    const layout = stripLayout({ panels: [{ title: 'input', image: blank, height: 32, width: 32, kind: 'gray' }, { title: 'reconstruction', image: blank, height: 32, width: 32, kind: 'gray' }, { title: 'residual', image: blank, height: 32, width: 32, kind: 'heat', max: 0.5 }] });
    expect([strip.width, strip.height]).toEqual([layout.width, layout.height]);
    const expectations = [(x: number, y: number) => Array(3).fill(Math.round(Math.min(1, Math.max(0, first[y * 32 + x])) * 255)), reconstruction.pixel, residual.pixel];
    expectations.forEach((expected, panel) => {
      const { imageLeft, imageTop } = layout.cells[panel];
      for (let p = 0; p < 32 * 32; p += 1) {
        const [x, y] = [p % 32, Math.floor(p / 32)];
        expect(strip.pixel(imageLeft + 4 * x + 2, imageTop + 4 * y + 2), `panel ${panel} pixel (${x}, ${y})`).toEqual(expected(x, y));
      }
    });
  });
});
