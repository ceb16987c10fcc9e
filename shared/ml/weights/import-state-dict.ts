import * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { tfShapeOf, torchToTf } from '../layers/torch-layout.ts';
import type { SafetensorsTensor } from './safetensors.ts';
import { stateDictEntries, type StateDictEntry } from './state-dict-entries.ts';

export interface ImportStateDictOptions {
  /** Like PyTorch's `load_state_dict(strict=...)`: refuse missing or unexpected entries; default true. */
  strict?: boolean;
  /** Names the weights in error messages (e.g. the file path); default `state_dict`. */
  source?: string;
}

export interface ImportStateDictReport {
  /** Entries assigned to the model, state_dict order. */
  loaded: string[];
  /** Model entries the state_dict lacks (only possible with strict: false). */
  missing: string[];
  /** State_dict entries the model does not have (only possible with strict: false). */
  unexpected: string[];
}

const NUM_BATCHES_TRACKED = /(^|\.)num_batches_tracked$/;
const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * Assigns a PyTorch state_dict (PyTorch layouts, e.g. read by `readSafetensors`) to the
 * model's variables, transposing conv, transposed-conv and linear weights to TF.js
 * (docs/models.md §17.3). Nothing is assigned unless every entry fits: a wrong shape or
 * dtype always fails; missing or unexpected entries fail when `strict`. The error lists
 * every problem by name. `num_batches_tracked` counters are optional either way: loaded
 * when present and known, never reported.
 */
export function importStateDict(
  model: AutoencoderModel,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  options: ImportStateDictOptions = {},
): ImportStateDictReport {
  const strict = options.strict ?? true;
  const entries = stateDictEntries(model);
  const known = new Set(entries.map((entry) => entry.name));
  const missing: string[] = [];
  const mismatched: string[] = [];
  const toLoad: Array<{ entry: StateDictEntry; tensor: SafetensorsTensor }> = [];
  for (const entry of entries) {
    const tensor = tensors.get(entry.name);
    if (!tensor) {
      if (!NUM_BATCHES_TRACKED.test(entry.name)) missing.push(entry.name);
      continue;
    }
    const problem = mismatch(entry, tensor);
    if (problem) mismatched.push(`${entry.name}: ${problem}`);
    else toLoad.push({ entry, tensor });
  }
  const unexpected = [...tensors.keys()].filter((name) => !known.has(name) && !NUM_BATCHES_TRACKED.test(name));

  const problems: string[] = [];
  if (mismatched.length > 0) problems.push(`  wrong shape or dtype (${mismatched.length}): ${mismatched.join('; ')}`);
  if (strict && missing.length > 0) problems.push(`  missing (${missing.length}): ${missing.join(', ')}`);
  if (strict && unexpected.length > 0) problems.push(`  unexpected (${unexpected.length}): ${unexpected.join(', ')}`);
  if (problems.length > 0) {
    throw new Error(`${options.source ?? 'state_dict'} does not fit model ${model.name}:\n${problems.join('\n')}`);
  }

  for (const { entry, tensor } of toLoad) {
    const { kind, torchShape } = entry.layout;
    const values =
      entry.variable.dtype === 'int32'
        ? torchToTf(kind, torchShape, Int32Array.from(tensor.data as ArrayLike<number | bigint>, Number))
        : torchToTf(kind, torchShape, tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data as ArrayLike<number>));
    const value = tf.tensor(values, tfShapeOf(kind, torchShape), entry.variable.dtype);
    entry.variable.assign(value);
    value.dispose();
  }
  return { loaded: toLoad.map(({ entry }) => entry.name), missing, unexpected };
}

function mismatch(entry: StateDictEntry, tensor: SafetensorsTensor): string | undefined {
  const expected = entry.layout.torchShape;
  const sameShape = tensor.shape.length === expected.length && tensor.shape.every((d, i) => d === expected[i]);
  if (!sameShape) return `shape [${tensor.shape.join(', ')}] in the weights, [${expected.join(', ')}] in the model`;
  const isFloat = FLOAT_DTYPES.has(tensor.dtype);
  if (entry.variable.dtype === 'float32' && !isFloat) return `dtype ${tensor.dtype}, expected a float dtype`;
  if (entry.variable.dtype === 'int32' && isFloat) return `dtype ${tensor.dtype}, expected an integer dtype`;
  return undefined;
}
