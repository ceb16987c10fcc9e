import * as tf from '@tensorflow/tfjs-core';
import { parseExperimentConfigText } from '../config/load-experiment-config.ts';
import { iterateBatches, sequentialOrder } from '../data/batch-iterator.ts';
import type { ImageDataset } from '../data/image-dataset.ts';
import { openTaskDatasets } from '../data/downstream-dataset-loader.ts';
import type { AutoencoderModel } from '../ml/autoencoder-model.ts';
import { buildModel } from '../ml/model-registry.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { loadCheckpoint, restoreWeights } from '../ml/training/checkpoint.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { runPaths } from '../storage/run-paths.ts';
import { evaluationPaths } from './evaluation-paths.ts';
import type { DatasetResult, ImageSample, TaskResult } from './evaluation-record.ts';
import { auprc, auroc, bestDice, fprAtTpr, pixelAuprc, pixelAuroc, rocCurve, ssim } from './metrics/index.ts';
import { renderHistogram } from './pictures/histogram.ts';
import { residualScore } from './residual-score.ts';
import { renderRocCurve } from './pictures/roc-curve.ts';
import { renderPanel, renderStrip } from './pictures/strip.ts';
import type { StripPanel } from './pictures/strip-panels.ts';

export interface EvaluateRunOptions {
  runId: string;
  evalId: string;
  checkpoint: 'best' | 'latest';
  /** Task names of the run's `downstream_tasks`; default all of them. */
  tasks?: string[];
  store: ArtifactStore;
  /** Data root for csv datasets; default `AELAB_DATA_ROOT`, then the working directory. */
  dataRoot?: string;
  /** Called after every scored batch with images scored so far and in all. */
  onProgress?: (scored: number, total: number) => void | Promise<void>;
}

/** Images per task and dataset whose strips are drawn: the first few, so runs compare. */
const PICTURE_SAMPLES = 4;
/** Residuals are drawn on one fixed colour scale, [0, 0.5], so pictures compare across runs. */
const RESIDUAL_COLOUR_MAX = 0.5;
/**
 * Pixels per forward pass: 64 images at 128², more at smaller sizes. The config's
 * downstream `batch_size` (1 in the official configs) only sets how the official loader
 * hands images out; in eval mode every image's output is the same in any batch, and one
 * forward pass per image costs far more.
 */
const FORWARD_PASS_PIXELS = 64 * 128 * 128;
const MAX_FORWARD_BATCH = 256;

interface ScoredDataset {
  name: string;
  label: 0 | 1;
  files: string[];
  scores: number[];
  l1: number[];
  mse: number[];
  ssim: number[];
  /** Residual maps and masks, kept only for datasets that have masks (pixel metrics). */
  residuals: Float32Array[];
  masks: Float32Array[];
}

/**
 * The official downstream evaluation (docs/models.md §14): every test image through the
 * model in eval mode, anomaly map |x_rec − x|, score = its mean; per task the first dataset
 * whose name contains "Normal" is the negative set and every other dataset is scored
 * against it. Writes scores.csv, results.json and pictures under runs/<runId>/eval/<evalId>/.
 */
export async function evaluateRun(options: EvaluateRunOptions): Promise<TaskResult[]> {
  const { store, runId, evalId } = options;
  const paths = evaluationPaths(runId, evalId);
  const { config } = parseExperimentConfigText(await store.readText(runPaths(runId).config), `runs/${runId}/config.yaml`);
  const taskNames = options.tasks ?? Object.keys(config.downstreamTasks);
  if (taskNames.length === 0) throw new Error(`run ${runId} has no downstream_tasks in its config and none were asked for`);
  for (const name of taskNames) {
    if (!Object.hasOwn(config.downstreamTasks, name)) {
      throw new Error(`run ${runId} has no downstream task "${name}"; its tasks: ${Object.keys(config.downstreamTasks).join(', ') || 'none'}`);
    }
  }
  const checkpoint = await loadCheckpoint(store, runId, options.checkpoint);
  if (checkpoint === null) throw new Error(`run ${runId} has no ${options.checkpoint} checkpoint to evaluate`);
  const dataRoot = options.dataRoot ?? process.env.AELAB_DATA_ROOT ?? process.cwd();

  const opened = new Map<string, { task: string; name: string; dataset: ImageDataset; label: 0 | 1 }[]>();
  for (const task of taskNames) opened.set(task, await openTaskDatasets(config.downstreamTasks[task], task, dataRoot));
  const total = [...opened.values()].flat().reduce((n, entry) => n + entry.dataset.size, 0);

  const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(config.seed), inputSize: config.trainer.dataLoader.targetSize });
  const scoreRows: string[] = ['task,dataset,file,label,score'];
  const results: TaskResult[] = [];
  let scored = 0;
  try {
    restoreWeights(model, checkpoint);
    for (const task of taskNames) {
      const scoredSets: ScoredDataset[] = [];
      const pictures: string[] = [];
      const samples: ImageSample[] = [];
      for (const entry of opened.get(task)!) {
        const set = await scoreDataset(model, entry.dataset, entry.name, entry.label, async (done, strips) => {
          scored += done;
          await options.onProgress?.(scored, total);
          for (const strip of strips) {
            const stem = `${entry.name}-${String(strip.index).padStart(3, '0')}`;
            const key = `${task}/${stem}.png`;
            await store.write(paths.picture(key), strip.png);
            pictures.push(`pictures/${key}`);
            samples.push(await writeSample(store, paths, `${task}/samples/${stem}`, entry.name, strip));
          }
        });
        for (let i = 0; i < set.files.length; i += 1) scoreRows.push(csvRow([task, set.name, set.files[i], String(set.label), String(set.scores[i])]));
        scoredSets.push(set);
      }
      results.push({ ...(await summariseTask(task, scoredSets, store, paths, pictures)), samples });
    }
  } finally {
    model.dispose();
  }
  await store.write(paths.scores, `${scoreRows.join('\n')}\n`);
  await store.write(paths.results, JSON.stringify({ runId, evalId, checkpoint: options.checkpoint, checkpointFolder: checkpoint.folder, tasks: results }, null, 2));
  return results;
}

async function scoreDataset(
  model: AutoencoderModel,
  dataset: ImageDataset,
  name: string,
  label: 0 | 1,
  afterBatch: (count: number, strips: Strip[]) => Promise<void>,
): Promise<ScoredDataset> {
  const set: ScoredDataset = { name, label, files: [], scores: [], l1: [], mse: [], ssim: [], residuals: [], masks: [] };
  const { height, width } = dataset;
  const pixels = height * width;
  let index = 0;
  for await (const batch of iterateBatches(dataset, { batchSize: forwardBatchSize(height, width), order: sequentialOrder(dataset.size) })) {
    const outputs = await readOutputs(model, batch.images, batch.count, height, width);
    const strips: Strip[] = [];
    for (let i = 0; i < batch.count; i += 1) {
      const x = batch.images.subarray(i * pixels, (i + 1) * pixels);
      const rec = outputs.xRec.subarray(i * pixels, (i + 1) * pixels);
      const { residual, score, mse } = residualScore(x, rec);
      set.files.push(batch.names[i]);
      set.scores.push(score);
      set.l1.push(score);
      set.mse.push(mse);
      if (label === 0) set.ssim.push(ssim(x, rec, height, width));
      if (batch.masks !== undefined && label === 1) {
        set.residuals.push(residual);
        set.masks.push(batch.masks.slice(i * pixels, (i + 1) * pixels));
      }
      if (index < PICTURE_SAMPLES) {
        const panels: StripPanel[] = [{ title: 'input', image: x, height, width, kind: 'gray' }];
        if (outputs.prior !== null) panels.push({ title: 'prior', image: outputs.prior.subarray(i * pixels, (i + 1) * pixels), height, width, kind: 'gray' });
        panels.push({ title: 'reconstruction', image: rec, height, width, kind: 'gray' });
        panels.push({ title: 'residual', image: residual, height, width, kind: 'heat', max: RESIDUAL_COLOUR_MAX });
        if (outputs.field !== null) panels.push({ title: 'deformation', image: outputs.field.subarray(i * pixels * 2, (i + 1) * pixels * 2), height, width, kind: 'grid' });
        strips.push({ index, png: renderStrip({ panels, scale: Math.max(1, Math.round(128 / height)) }), file: batch.names[i], score, panels });
      }
      index += 1;
    }
    await afterBatch(batch.count, strips);
  }
  return set;
}

/** A strip as drawn, with its panels kept for the sample pictures. */
interface Strip {
  index: number;
  png: Uint8Array;
  file: string;
  score: number;
  panels: StripPanel[];
}

/** Input, reconstruction and residual of a strip as pictures of their own, for galleries. */
async function writeSample(store: ArtifactStore, paths: ReturnType<typeof evaluationPaths>, stem: string, dataset: string, strip: Strip): Promise<ImageSample> {
  const keys = { input: `${stem}-input.png`, reconstruction: `${stem}-reconstruction.png`, residual: `${stem}-residual.png` };
  for (const [title, key] of Object.entries(keys)) {
    const panel = strip.panels.find((candidate) => candidate.title === title);
    if (panel !== undefined && panel.kind !== 'grid') await store.write(paths.picture(key), renderPanel(panel));
  }
  const at = (key: string) => `pictures/${key}`;
  return { dataset, index: strip.index, file: strip.file, score: strip.score, input: at(keys.input), reconstruction: at(keys.reconstruction), residual: at(keys.residual) };
}

/** Images per forward pass of the evaluation at height × width. */
export function forwardBatchSize(height: number, width: number): number {
  return Math.max(1, Math.min(MAX_FORWARD_BATCH, Math.floor(FORWARD_PASS_PIXELS / (height * width))));
}

/** The model's reconstruction, prior and deformation field for a batch, read back to host memory. */
async function readOutputs(model: AutoencoderModel, images: Float32Array, count: number, height: number, width: number) {
  const kept = tf.tidy(() => {
    const out = model.forward(tf.tensor4d(images, [count, height, width, 1]), { training: false });
    const wanted: Record<string, tf.Tensor> = { xRec: out.xRec };
    if (out.extras.x_prior !== undefined) wanted.prior = out.extras.x_prior;
    if (out.extras.phi !== undefined) wanted.field = out.extras.phi;
    return wanted;
  });
  const read = async (tensor: tf.Tensor | undefined) => (tensor === undefined ? null : ((await tensor.data()) as Float32Array));
  try {
    return { xRec: (await read(kept.xRec))!, prior: await read(kept.prior), field: await read(kept.field) };
  } finally {
    tf.dispose(Object.values(kept));
  }
}

async function summariseTask(
  task: string,
  sets: ScoredDataset[],
  store: ArtifactStore,
  paths: ReturnType<typeof evaluationPaths>,
  pictures: string[],
): Promise<TaskResult> {
  const normal = sets.find((set) => set.label === 0)!;
  const datasets: DatasetResult[] = [];
  const curves = [];
  for (const set of sets.filter((s) => s.label === 1)) {
    const scores = [...normal.scores, ...set.scores];
    const labels = [...normal.scores.map(() => 0), ...set.scores.map(() => 1)];
    const at95 = fprAtTpr(scores, labels, 0.95);
    const at99 = fprAtTpr(scores, labels, 0.99);
    const withMasks = set.masks.length > 0;
    const dice = withMasks ? bestDice(set.residuals, set.masks) : null;
    const result: DatasetResult = {
      dataset: set.name,
      normals: normal.scores.length,
      pathological: set.scores.length,
      auroc: auroc(scores, labels),
      auprc: auprc(scores, labels),
      fpr95: at95.fpr,
      fpr95_threshold: at95.threshold,
      fpr99: at99.fpr,
      fpr99_threshold: at99.threshold,
      pixel_auroc: withMasks ? pixelAuroc(set.residuals, set.masks) : null,
      pixel_auprc: withMasks ? pixelAuprc(set.residuals, set.masks) : null,
      best_dice: dice?.dice ?? null,
      best_dice_threshold: dice?.threshold ?? null,
    };
    datasets.push(result);
    const roc = rocCurve(scores, labels);
    curves.push({ label: set.name, fpr: roc.fpr, tpr: roc.tpr, auroc: result.auroc });
  }
  const histogramKey = `${task}/score-histogram.png`;
  await store.write(
    paths.picture(histogramKey),
    renderHistogram({ series: sets.map((set) => ({ label: set.name, values: set.scores })), bins: 30, width: 640, height: 400, title: `${task}: anomaly scores` }),
  );
  const rocKey = `${task}/roc.png`;
  await store.write(paths.picture(rocKey), renderRocCurve({ curves, width: 480, height: 480 }));
  return {
    task,
    normal_dataset: normal.name,
    normal_l1: mean(normal.l1),
    normal_mse: mean(normal.mse),
    normal_ssim: mean(normal.ssim),
    datasets,
    pictures: [...pictures, `pictures/${histogramKey}`, `pictures/${rocKey}`],
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function csvRow(cells: string[]): string {
  return cells.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}

