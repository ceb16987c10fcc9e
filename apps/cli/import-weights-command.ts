import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ComponentRef } from '../../shared/config/experiment-config.ts';
import { loadExperimentConfigFile } from '../../shared/config/load-experiment-config.ts';
import { parseYaml } from '../../shared/config/parse-yaml.ts';
import { selectBackend } from '../../shared/ml/backend/select-backend.ts';
import { buildModel, knownModelNames, validateModelParams } from '../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../shared/random/seeded-random.ts';
import { writeCheckpointFolder, type CheckpointModel } from '../../shared/ml/weights/checkpoint-folder.ts';
import { importStateDict } from '../../shared/ml/weights/import-state-dict.ts';
import { readSafetensors } from '../../shared/ml/weights/safetensors.ts';
import { CliError } from './api-client.ts';
import { oneLineMessage } from './one-line-message.ts';
import { systemErrorCode } from '../../shared/errors/system-error-code.ts';

export interface ImportWeightsOptions {
  /** The PyTorch state_dict as safetensors. Required. */
  from: string;
  /** The checkpoint folder to create (must not exist or be empty). Required. */
  out: string;
  /** An experiment config: model name, params, mode and input size. Default: none (then `model` is required). */
  config?: string;
  /** Registry name of the model, when no config is given. */
  model?: string;
  /** YAML or JSON file of `model.params`, or an experiment config whose `model.params` is taken. Default: none ({}). */
  params?: string;
  /** Input [height, width], when no config is given; default [128, 128], the official size. */
  size?: [number, number];
  /** `reference` or `corrected`, when no config is given; default `reference`. */
  mode?: string;
}

/** The official input size of every cxr config. */
const DEFAULT_SIZE: [number, number] = [128, 128];

/**
 * `aelab import-weights`: a PyTorch state_dict (official `best_model.pt`'s
 * `model_weights`, exported to safetensors) becomes a checkpoint folder of ours. The
 * model is built from the config or the name and params, the state_dict is imported
 * strictly (every entry by name and shape, PyTorch layouts transposed), and the weights
 * are written in the TF.js layout. Returns the folder's absolute path.
 */
export async function importWeightsCommand(options: ImportWeightsOptions, say: (line: string) => void = () => undefined): Promise<string> {
  try {
    const description = describeModel(options);
    validateModelParams(description.model);
    const from = resolve(options.from);
    let bytes: Buffer;
    try {
      bytes = await readFile(from);
    } catch (error) {
      throw new Error(`cannot read the state_dict ${from} (${errorCode(error)})`);
    }
    const tensors = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), from);

    // Quiet: TF.js otherwise prints an advertisement for tfjs-node on first use of the cpu backend.
    tf.env().set('PROD', true);
    await selectBackend('cpu');
    const model = buildModel(description.model, { mode: description.mode, random: new SeededRandom(0), inputSize: description.inputSize });
    try {
      const report = importStateDict(model, tensors, { source: from });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const folder = await writeCheckpointFolder(options.out, model, description, { file: from, sha256 });
      const parameters = [...model.parameters.values()].reduce((sum, variable) => sum + variable.size, 0);
      say(
        `imported ${report.loaded.length} tensors (${parameters.toLocaleString('en-US')} parameters) of ${description.model.name} ` +
          `(${description.mode}, ${description.inputSize.join('×')}) from ${from} into ${folder}`,
      );
      return folder;
    } finally {
      model.dispose();
    }
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(oneLineMessage(error));
  }
}

function describeModel(options: ImportWeightsOptions): CheckpointModel {
  if (options.config !== undefined) {
    const clashing = (['model', 'params', 'size', 'mode'] as const).filter((key) => options[key] !== undefined);
    if (clashing.length > 0) {
      throw new CliError(`--config gives the model, its params, size and mode; leave out ${clashing.map((key) => `--${key}`).join(', ')}`);
    }
    const { config } = loadExperimentConfigFile(options.config);
    return { model: config.model, mode: config.mode, inputSize: config.trainer.dataLoader.targetSize };
  }
  if (options.model === undefined) throw new CliError('name the model: --config <experiment yaml>, or --model <name> [--params <file>]');
  if (!knownModelNames().includes(options.model)) {
    throw new CliError(`--model: unknown model "${options.model}"; known models: ${knownModelNames().join(', ')}`);
  }
  const mode = options.mode ?? 'reference';
  if (mode !== 'reference' && mode !== 'corrected') throw new CliError(`--mode: expected reference or corrected, got "${mode}"`);
  const model: ComponentRef = { name: options.model, params: options.params === undefined ? {} : readParamsFile(options.params, options.model) };
  return { model, mode, inputSize: options.size ?? DEFAULT_SIZE };
}

/** A params mapping, or an experiment config's `model.params` (its model must be `modelName`). */
function readParamsFile(file: string, modelName: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the params file ${file} (${errorCode(error)})`);
  }
  const { value } = parseYaml(text, file);
  if (!isMapping(value)) throw new CliError(`${file}: expected a mapping of model params`);
  if (!isMapping(value.model)) return value;
  const config = loadExperimentConfigFile(file).config;
  if (config.model.name !== modelName) throw new CliError(`${file} configures model ${config.model.name}, not --model ${modelName}`);
  return config.model.params;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(error: unknown): string {
  return systemErrorCode(error) ?? String(error);
}
