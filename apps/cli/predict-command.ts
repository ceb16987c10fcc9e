import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import { encode } from 'fast-png';
import { loadExperimentConfigFile, parseExperimentConfigText } from '../../shared/config/load-experiment-config.ts';
import { decodeGrayscaleImage } from '../../shared/data/decode-grayscale-image.ts';
import { residualScore, type ResidualScore } from '../../shared/evaluation/residual-score.ts';
import { resizeBilinear } from '../../shared/data/resize-bilinear.ts';
import type { AutoencoderModel } from '../../shared/ml/autoencoder-model.ts';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { buildModel } from '../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../shared/random/seeded-random.ts';
import { loadCheckpoint, restoreWeights } from '../../shared/ml/training/checkpoint.ts';
import { readCheckpointFolder, restoreCheckpointFolder, type CheckpointModel } from '../../shared/ml/weights/checkpoint-folder.ts';
import { ArtifactNotFoundError } from '../../shared/storage/artifact-store.ts';
import { openArtifactStore } from '../../shared/storage/open-artifact-store.ts';
import { runPaths } from '../../shared/storage/run-paths.ts';
import { CliError } from './api-client.ts';
import { oneLineMessage } from './one-line-message.ts';
import { systemErrorCode } from '../../shared/errors/system-error-code.ts';

export interface PredictOptions {
  /** A run in AELAB_STORAGE whose `best` checkpoint and config.yaml are used. One of `run` and `checkpoint` is required. */
  run?: string;
  /** A checkpoint folder (`aelab import-weights` output, or a run's `checkpoints/<label>` folder). */
  checkpoint?: string;
  /**
   * An experiment config naming the model (name, params, mode, input size). Default: the
   * checkpoint's model.json, else the config.yaml of the run the folder sits in.
   */
  config?: string;
  /** Folder for the PNGs and scores.csv; created if missing. Required. */
  out: string;
  /** PNG files, or folders whose `.png` files are taken. At least one. */
  images: string[];
  /** Images per forward pass; default 8. */
  batchSize?: number;
  /** Bits per sample of the written PNGs, 8 or 16; default 8. */
  depth?: 8 | 16;
}

export interface PredictResult {
  /** Per image, in input order: its path as given and its anomaly score, mean |x_rec − x|. */
  scores: Array<{ file: string; score: number }>;
  /** Absolute path of the output folder. */
  out: string;
}

/**
 * `aelab predict`: for each image, resized to the model's input size as in training
 * (bilinear, half-pixel, no antialias), writes `<name>_reconstruction.png`, the residual
 * map `<name>_residual.png` (|x_rec − x|, 0 → black, 1 → white) and a row of scores.csv
 * (`file,score`, score = mean |x_rec − x|, the official anomaly score). The model runs in
 * inference mode; for MorphAEus x_rec is the deformed reconstruction.
 */
export async function predictCommand(options: PredictOptions, say: (line: string) => void = () => undefined): Promise<PredictResult> {
  try {
    return await predict(options, say);
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(oneLineMessage(error));
  }
}

async function predict(options: PredictOptions, say: (line: string) => void): Promise<PredictResult> {
  if ((options.run === undefined) === (options.checkpoint === undefined)) {
    throw new CliError('name the weights with exactly one of --run <id> and --checkpoint <folder>');
  }
  const batchSize = options.batchSize ?? 8;
  const depth = options.depth ?? 8;
  const images = await listImages(options.images);
  const names = outputNames(images);
  const source = options.run !== undefined ? await fromRun(options.run, options.config) : await fromFolder(options.checkpoint!, options.config);

  // Quiet: TF.js otherwise prints an advertisement for tfjs-node on first use of the cpu backend.
  tf.env().set('PROD', true);
  const backend = await selectBackend(process.env.AELAB_BACKEND ?? 'auto', source.description.model.name);
  const { model: ref, mode, inputSize } = source.description;
  const model = buildModel(ref, { mode, random: new SeededRandom(0), inputSize });
  const out = resolve(options.out);
  const scores: PredictResult['scores'] = [];
  const bar =
    images.length > batchSize
      ? new cliProgress.SingleBar({ format: '  predict {bar} {value}/{total} images | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
      : undefined;
  try {
    source.restore(model);
    say(`${ref.name} (${mode}, ${inputSize.join('×')}) from ${source.label} on ${backend.name}: ${images.length} image(s)`);
    await mkdir(out, { recursive: true });
    bar?.start(images.length, 0);
    for (let start = 0; start < images.length; start += batchSize) {
      const files = images.slice(start, start + batchSize);
      const pixels = await Promise.all(files.map((file) => loadImage(file, inputSize)));
      const results = await reconstruct(model, pixels, inputSize);
      for (const [k, result] of results.entries()) {
        const name = names[start + k];
        await writeFile(join(out, `${name}_reconstruction.png`), toPng(result.reconstruction, inputSize, depth));
        await writeFile(join(out, `${name}_residual.png`), toPng(result.residual, inputSize, depth));
        scores.push({ file: files[k], score: result.score });
      }
      bar?.update(start + files.length);
    }
  } finally {
    bar?.stop();
    model.dispose();
  }
  const csv = ['file,score', ...scores.map(({ file, score }) => `${csvField(file)},${score}`)].join('\n');
  await writeFile(join(out, 'scores.csv'), `${csv}\n`);
  say(`wrote ${scores.length} reconstruction(s) and residual map(s) to ${out}; scores in ${join(out, 'scores.csv')}`);
  return { scores, out };
}

interface WeightsSource {
  description: CheckpointModel;
  /** Where the weights come from, for the log line. */
  label: string;
  restore(model: AutoencoderModel): void;
}

async function fromRun(runId: string, configFile: string | undefined): Promise<WeightsSource> {
  const store = openArtifactStore();
  const paths = runPaths(runId);
  let description: CheckpointModel;
  if (configFile !== undefined) description = describeConfigFile(configFile);
  else {
    let text: string;
    try {
      text = await store.readText(paths.config);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) throw new CliError(`no run ${runId} in ${store.location} (AELAB_STORAGE): ${paths.config} does not exist`);
      throw error;
    }
    const { config } = parseExperimentConfigText(text, `${store.location}/${paths.config}`);
    description = { model: config.model, mode: config.mode, inputSize: config.trainer.dataLoader.targetSize };
  }
  const checkpoint = await loadCheckpoint(store, runId, 'best');
  if (checkpoint === null) throw new CliError(`run ${runId} has no best checkpoint yet (it is written after the first validated epoch)`);
  return { description, label: `${store.location}/${checkpoint.folder}`, restore: (model) => restoreWeights(model, checkpoint) };
}

async function fromFolder(folder: string, configFile: string | undefined): Promise<WeightsSource> {
  const checkpoint = await readCheckpointFolder(folder);
  // A run's checkpoint version sits at runs/<id>/checkpoints/<version>/, next to the run's config.
  const runConfig = resolve(folder, '..', '..', 'config.yaml');
  let description: CheckpointModel;
  if (configFile !== undefined) description = describeConfigFile(configFile);
  else if (checkpoint.model !== null) description = checkpoint.model;
  else if (existsSync(runConfig)) description = describeConfigFile(runConfig);
  else throw new CliError(`${checkpoint.folder} has no model.json and is not inside a run; name the model with --config <experiment yaml>`);
  return { description, label: checkpoint.folder, restore: (model) => restoreCheckpointFolder(model, checkpoint) };
}

function describeConfigFile(file: string): CheckpointModel {
  const { config } = loadExperimentConfigFile(file);
  return { model: config.model, mode: config.mode, inputSize: config.trainer.dataLoader.targetSize };
}

/** Files as given; folders expand to their `.png` files in name order. */
async function listImages(inputs: readonly string[]): Promise<string[]> {
  const images: string[] = [];
  for (const input of inputs) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(input)).isDirectory();
    } catch {
      throw new CliError(`cannot read image ${input}: no such file or folder`);
    }
    if (!isFolder) images.push(input);
    else {
      const pngs = (await readdir(input)).filter((name) => /\.png$/i.test(name)).sort();
      if (pngs.length === 0) throw new CliError(`folder ${input} holds no .png images`);
      images.push(...pngs.map((name) => join(input, name)));
    }
  }
  if (images.length === 0) throw new CliError('no images given');
  return images;
}

/** Output file stems: the image's name without extension, which must be unique. */
function outputNames(images: readonly string[]): string[] {
  const names = images.map((file) => basename(file, extname(file)));
  const seen = new Map<string, string>();
  names.forEach((name, i) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) throw new CliError(`${earlier} and ${images[i]} would both write ${name}_*.png; predict them into different --out folders`);
    seen.set(name, images[i]);
  });
  return names;
}

async function loadImage(file: string, [height, width]: [number, number]): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`cannot read image ${file} (${systemErrorCode(error) ?? String(error)})`);
  }
  const image = decodeGrayscaleImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
  return resizeBilinear(image.data, [image.height, image.width], [height, width]);
}

async function reconstruct(
  model: AutoencoderModel,
  pixels: readonly Float32Array[],
  [height, width]: [number, number],
): Promise<Array<ResidualScore & { reconstruction: Float32Array }>> {
  const size = height * width;
  const batch = new Float32Array(pixels.length * size);
  pixels.forEach((image, k) => batch.set(image, k * size));
  const output = tf.tidy(() => {
    const { xRec } = model.forward(tf.tensor4d(batch, [pixels.length, height, width, 1]), { training: false });
    if (xRec.shape[3] !== 1) throw new Error(`${model.name} reconstructs ${xRec.shape[3]} channels; predict writes grayscale images only`);
    return xRec;
  });
  let reconstructions: Float32Array;
  try {
    reconstructions = (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
  return pixels.map((image, k) => ({ reconstruction: reconstructions.subarray(k * size, (k + 1) * size), ...residualScore(image, reconstructions.subarray(k * size, (k + 1) * size)) }));
}

/** A grayscale PNG of values in [0, 1] (clamped), rounded to 8 or 16 bits. */
function toPng(values: Float32Array, [height, width]: [number, number], depth: 8 | 16): Uint8Array {
  const max = depth === 8 ? 255 : 65535;
  const data = depth === 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, values[i])) * max);
  return encode({ width, height, data, depth, channels: 1 });
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
