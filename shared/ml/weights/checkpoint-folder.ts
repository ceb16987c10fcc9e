import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ComponentRef } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, checkpointFileDigestSchema, SAFETENSORS_DTYPES } from './checkpoint-format.ts';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from './safetensors.ts';
import { isMissingFileError } from '../../errors/system-error-code.ts';

/**
 * A checkpoint as a folder on disk, outside any run: what `aelab import-weights` writes
 * and `aelab predict --checkpoint` reads. It holds the files of a run's checkpoint
 * version (checkpoint.ts) that carry weights:
 *   weights.safetensors  parameters and buffers by state_dict name, TF.js layout
 *   state.json           format, format version, sha256 and size of weights.safetensors
 *                        (a run's version has the training state besides)
 *   model.json           the model it belongs to (imported checkpoints; a run's version
 *                        leaves it to the run's config.yaml)
 * So a run's version folder (`runs/<id>/checkpoints/best`) reads the same way.
 */

/** The model a checkpoint folder's weights belong to (model.json). */
export interface CheckpointModel {
  /** Registry name and `model.params`, as in an experiment config. */
  model: ComponentRef;
  /** `reference` or `corrected`, as the config's `mode`. */
  mode: 'reference' | 'corrected';
  /** [height, width] the model takes (the config's `target_size`). */
  inputSize: [number, number];
}

/** A checkpoint folder read into host memory, its weights verified against state.json. */
export interface CheckpointFolder {
  /** Absolute path of the folder. */
  folder: string;
  /** By state_dict name, TF.js layout, F32 or I32. */
  weights: Map<string, SafetensorsTensor>;
  /** model.json, or null when the folder has none (a run's checkpoint version). */
  model: CheckpointModel | null;
}

/** Where the weights of an imported checkpoint came from (state.json `importedFrom`). */
export interface ImportProvenance {
  /** Absolute path of the PyTorch state_dict file. */
  file: string;
  sha256: string;
}

const { weights: WEIGHTS_FILE, state: STATE_FILE, model: MODEL_FILE } = CHECKPOINT_FILES;

const stateSchema = z.looseObject({
  format: z.literal(CHECKPOINT_FORMAT),
  formatVersion: z.number().int().positive().max(CHECKPOINT_FORMAT_VERSION, `is newer than this aelab reads (${CHECKPOINT_FORMAT_VERSION}); upgrade aelab`),
  files: z.looseObject({ [WEIGHTS_FILE]: checkpointFileDigestSchema }),
});

const modelSchema = z.strictObject({
  model: z.strictObject({ name: z.string().min(1), params: z.record(z.string(), z.unknown()) }),
  mode: z.enum(['reference', 'corrected']),
  input_size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
});

/**
 * Reads a checkpoint folder: state.json, then weights.safetensors checked against the size
 * and sha256 it lists, then model.json when present. Every problem is an Error naming the file.
 */
export async function readCheckpointFolder(directory: string): Promise<CheckpointFolder> {
  const folder = resolve(directory);
  const statePath = join(folder, STATE_FILE);
  const stateText = await readOrExplain(statePath, `${folder} is not a checkpoint folder (no ${STATE_FILE})`);
  const state = parseJson(stateText.toString('utf8'), statePath, stateSchema);
  const expected = state.files[WEIGHTS_FILE];
  const weightsPath = join(folder, WEIGHTS_FILE);
  const bytes = await readOrExplain(weightsPath, `${weightsPath} is missing`);
  if (bytes.byteLength !== expected.bytes) throw new Error(`${weightsPath}: ${bytes.byteLength} bytes, ${STATE_FILE} says ${expected.bytes} (truncated?)`);
  const digest = sha256(bytes);
  if (digest !== expected.sha256) throw new Error(`${weightsPath}: sha256 ${digest} does not match ${expected.sha256} in ${STATE_FILE}`);
  const weights = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), weightsPath);

  const modelPath = join(folder, MODEL_FILE);
  let model: CheckpointModel | null = null;
  const modelText = await readFile(modelPath, 'utf8').catch((error: unknown) => {
    if (isMissingFileError(error)) return null;
    throw error;
  });
  if (modelText !== null) {
    const parsed = parseJson(modelText, modelPath, modelSchema);
    model = { model: parsed.model, mode: parsed.mode, inputSize: parsed.input_size };
  }
  return { folder, weights, model };
}

/**
 * Puts a checkpoint folder's weights into a model. Every variable of the model must be
 * there with its shape and dtype, and nothing else; the error names the tensor.
 */
export function restoreCheckpointFolder(model: AutoencoderModel, checkpoint: CheckpointFolder): void {
  const where = checkpoint.folder;
  const variables = new Map<string, tf.Variable>([...model.parameters, ...model.buffers]);
  for (const [name, variable] of variables) {
    const saved = checkpoint.weights.get(name);
    if (saved === undefined) throw new Error(`checkpoint ${where} has no tensor "${name}", which the model ${model.name} needs`);
    if (saved.shape.length !== variable.shape.length || saved.shape.some((size, i) => size !== variable.shape[i])) {
      throw new Error(`checkpoint ${where}: "${name}" has shape [${saved.shape.join(', ')}], the model ${model.name} expects [${variable.shape.join(', ')}]`);
    }
    if (saved.dtype !== DTYPES[variable.dtype as keyof typeof DTYPES]) {
      throw new Error(`checkpoint ${where}: "${name}" is ${saved.dtype}, the model ${model.name} expects ${variable.dtype}`);
    }
  }
  const extra = [...checkpoint.weights.keys()].filter((name) => !variables.has(name));
  if (extra.length > 0) throw new Error(`checkpoint ${where} has tensors the model ${model.name} does not: ${extra.slice(0, 5).join(', ')}`);
  for (const [name, variable] of variables) {
    const saved = checkpoint.weights.get(name)!;
    const value = tf.tensor(saved.data as Float32Array | Int32Array, saved.shape, variable.dtype);
    variable.assign(value);
    value.dispose();
  }
}

/**
 * Writes a model's weights as a checkpoint folder (weights.safetensors, model.json, then
 * state.json last, so a folder with a state.json is complete) and returns its absolute
 * path. The folder is created; one that exists must be empty, so nothing is overwritten.
 */
export async function writeCheckpointFolder(
  directory: string,
  model: AutoencoderModel,
  description: CheckpointModel,
  importedFrom?: ImportProvenance,
): Promise<string> {
  const folder = resolve(directory);
  await mkdir(folder, { recursive: true });
  if ((await readdir(folder)).length > 0) throw new Error(`${folder} is not empty; choose a new folder for the checkpoint`);
  const weights = new Map<string, SafetensorsTensor>();
  for (const [name, variable] of [...model.parameters, ...model.buffers]) {
    const dtype = DTYPES[variable.dtype as keyof typeof DTYPES];
    if (dtype === undefined) throw new Error(`cannot checkpoint "${name}" of dtype ${variable.dtype}`);
    weights.set(name, { dtype, shape: [...variable.shape], data: (await variable.data()) as Float32Array | Int32Array });
  }
  const weightBytes = writeSafetensors(weights, { format: CHECKPOINT_FORMAT, layout: 'tfjs' });
  await writeAtomically(join(folder, WEIGHTS_FILE), weightBytes);
  const modelJson = { model: description.model, mode: description.mode, input_size: description.inputSize };
  await writeAtomically(join(folder, MODEL_FILE), `${JSON.stringify(modelJson, null, 1)}\n`);
  const state = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    model: model.name,
    savedAt: new Date().toISOString(),
    files: { [WEIGHTS_FILE]: { sha256: sha256(weightBytes), bytes: weightBytes.byteLength } },
    ...(importedFrom === undefined ? {} : { importedFrom }),
  };
  await writeAtomically(join(folder, STATE_FILE), `${JSON.stringify(state, null, 1)}\n`);
  return folder;
}

const DTYPES = SAFETENSORS_DTYPES;

function parseJson<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file}: not valid JSON (truncated?)`);
  }
  const checked = schema.safeParse(value);
  if (!checked.success) throw new Error(`${file}: ${z.prettifyError(checked.error).replaceAll('\n', '; ')}`);
  return checked.data;
}

async function readOrExplain(path: string, whenMissing: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isMissingFileError(error)) throw new Error(whenMissing);
    throw error;
  }
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
