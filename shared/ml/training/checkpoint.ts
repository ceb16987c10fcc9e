import { createHash } from 'node:crypto';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, checkpointFileDigestSchema, SAFETENSORS_DTYPES } from '../weights/checkpoint-format.ts';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { DEFAULT_KEEP_CHECKPOINTS } from '../../config/resolve-experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import type { Adam, AdamStateMeta } from '../optim/adam.ts';
import { ArtifactNotFoundError, type ArtifactStore } from '../../storage/artifact-store.ts';
import { runPaths } from '../../storage/run-paths.ts';
import { CheckpointCorruptError } from './checkpoint-corrupt-error.ts';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from '../weights/safetensors.ts';
import { trainingPositionSchema, trainingStateSchema, type TrainingPosition, type TrainingState } from './training-state.ts';

/**
 * Checkpoints of a run. Each save writes a new version folder
 * `runs/<id>/checkpoints/<label>-<epoch:6>-<batch:6>/` named after the training position
 * it resumes at, holding
 *   weights.safetensors    model parameters and buffers, by state_dict name, in the
 *                          TF.js layout (NHWC kernels; `exportStateDict` gives PyTorch's)
 *   optimizer.safetensors  optimizer moments, `<optimizer>/<parameter>/<exp_avg|…>`
 *   state.json             position, trainer state, optimizer step counts, config hash,
 *                          format version and the sha256 of both binary files
 * state.json is written last, then the alias `checkpoints/<label>` is repointed in one
 * atomic step, so a reader of the alias never sees a half-written version. The two alias
 * targets and the `keep_checkpoints` most recent other versions are kept (default 1: the
 * `latest` before the current one, which sorts first among equals); older ones are deleted. A loader that finds
 * the alias target damaged falls back to the newest earlier version of its label.
 */

const checkpointLabelSchema = z.enum(['latest', 'best']);
export type CheckpointLabel = z.infer<typeof checkpointLabelSchema>;

const { weights: WEIGHTS_FILE, optimizer: OPTIMIZER_FILE, state: STATE_FILE } = CHECKPOINT_FILES;

/** What a checkpoint saves. */
export interface CheckpointPayload {
  /** Where a run restored from it continues. */
  position: TrainingPosition;
  model: AutoencoderModel;
  /** The trainer's optimizers by name (`model` for a single one). */
  optimizers: ReadonlyMap<string, Adam>;
  training: TrainingState;
  /** Hash of the settings that shape training; a resume with other settings is refused. */
  configHash: string;
}

const adamStateSchema: z.ZodType<AdamStateMeta> = z.object({
  kind: z.literal('adam'),
  // Adam.restore compares every setting with the run's and names the one that differs.
  settings: z.looseObject({ lr: z.number() }).pipe(z.custom<AdamStateMeta['settings']>()),
  steps: z.record(z.string(), z.number()),
});

const checkpointStateSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  formatVersion: z.number().int().positive(),
  runId: z.string(),
  label: checkpointLabelSchema,
  position: trainingPositionSchema,
  configHash: z.string(),
  savedAt: z.string(),
  files: z.record(z.string(), checkpointFileDigestSchema),
  optimizers: z.record(z.string(), adamStateSchema),
  training: trainingStateSchema,
});

/** The contents of state.json. */
export type CheckpointState = z.infer<typeof checkpointStateSchema>;

/** A verified checkpoint version, read into host memory. */
export interface LoadedCheckpoint {
  /** Store key of the version folder. */
  folder: string;
  state: CheckpointState;
  weights: Map<string, SafetensorsTensor>;
  optimizerSlots: Map<string, SafetensorsTensor>;
  /** Newer versions that were skipped because they are damaged, newest first. */
  rejected: CheckpointCorruptError[];
}

const VERSION_PATTERN = /^(latest|best)-(\d{6})-(\d{6})$/;

interface Version {
  name: string;
  label: CheckpointLabel;
  position: TrainingPosition;
}

/** The folder name of a version: sorts in training order. */
export function checkpointVersionName(label: CheckpointLabel, position: TrainingPosition): string {
  if (position.epoch > 999_999 || position.batch > 999_999) throw new Error(`checkpoint position ${JSON.stringify(position)} is out of range`);
  return `${label}-${String(position.epoch).padStart(6, '0')}-${String(position.batch).padStart(6, '0')}`;
}

/** Writes a new version of `label` and points the alias at it; returns the version folder's key. */
export async function saveCheckpoint(
  store: ArtifactStore,
  runId: string,
  label: CheckpointLabel,
  payload: CheckpointPayload,
  keepOthers: number = DEFAULT_KEEP_CHECKPOINTS,
): Promise<string> {
  const paths = runPaths(runId);
  const name = checkpointVersionName(label, payload.position);
  const folder = `${paths.checkpoints}/${name}`;
  const alias = paths.checkpointVersion(label);

  if (await store.exists(folder)) {
    // A version at the same position is left from a run that did not get further (or
    // is damaged): readers of the alias are moved off it before it is rewritten.
    if ((await store.resolveAlias(alias)) === folder) await pointAliasAtNewest(store, runId, label, (version) => version.name < name);
    await store.remove(folder);
  }

  const weights = await hostTensors([...payload.model.parameters, ...payload.model.buffers]);
  const slots: [string, tf.Tensor][] = [];
  const optimizers: Record<string, AdamStateMeta> = {};
  for (const [optimizerName, optimizer] of payload.optimizers) {
    optimizers[optimizerName] = optimizer.stateMeta();
    for (const [slot, tensor] of optimizer.stateSlots()) slots.push([`${optimizerName}/${slot}`, tensor]);
  }
  const metadata = { format: CHECKPOINT_FORMAT, layout: 'tfjs' };
  const weightBytes = writeSafetensors(weights, metadata);
  const optimizerBytes = writeSafetensors(await hostTensors(slots), metadata);

  await store.write(`${folder}/${WEIGHTS_FILE}`, weightBytes);
  await store.write(`${folder}/${OPTIMIZER_FILE}`, optimizerBytes);
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    runId,
    label,
    position: payload.position,
    configHash: payload.configHash,
    savedAt: new Date().toISOString(),
    files: {
      [WEIGHTS_FILE]: { sha256: sha256(weightBytes), bytes: weightBytes.byteLength },
      [OPTIMIZER_FILE]: { sha256: sha256(optimizerBytes), bytes: optimizerBytes.byteLength },
    },
    optimizers,
    training: payload.training,
  };
  await store.write(`${folder}/${STATE_FILE}`, `${JSON.stringify(state, null, 1)}\n`);
  await store.pointTo(alias, folder);
  await pruneVersions(store, runId, keepOthers);
  return folder;
}

/**
 * Removes every version but the two the aliases point at and the `keepOthers` most recent
 * others (of either label, by training position), so a long run's disk stays bounded.
 */
async function pruneVersions(store: ArtifactStore, runId: string, keepOthers: number): Promise<void> {
  const paths = runPaths(runId);
  const targets = new Set(await Promise.all((['latest', 'best'] as const).map((label) => store.resolveAlias(paths.checkpointVersion(label)))));
  const others = [...(await listVersions(store, runId, 'latest')), ...(await listVersions(store, runId, 'best'))]
    .filter((version) => !targets.has(`${paths.checkpoints}/${version.name}`))
    .sort((a, b) => comparePositions(b.position, a.position) || (a.label === b.label ? 0 : a.label === 'latest' ? -1 : 1));
  for (const version of others.slice(keepOthers)) await store.remove(`${paths.checkpoints}/${version.name}`);
}

/**
 * Reads and verifies the version the alias points at (state.json, sha256 and structure of
 * both files). A damaged one is recorded in `rejected` and the previous version is tried.
 * Returns null when the label has no version at all; throws when versions exist but none
 * is usable (with every reason), since training must then not silently start over.
 */
export async function loadCheckpoint(store: ArtifactStore, runId: string, label: CheckpointLabel): Promise<LoadedCheckpoint | null> {
  const paths = runPaths(runId);
  const versions = await listVersions(store, runId, label);
  const target = await store.resolveAlias(paths.checkpointVersion(label));
  const targetName = target?.slice(paths.checkpoints.length + 1);
  // Versions newer than the alias target were never published (a crash before the
  // alias moved): the run continues from what the alias says.
  const candidates = versions
    .filter((version) => targetName === undefined || !versions.some((v) => v.name === targetName) || version.name <= targetName)
    .reverse();
  if (candidates.length === 0) {
    if (target !== null) throw new CheckpointCorruptError(target, `the alias ${paths.checkpointVersion(label)} points at a folder that is not a checkpoint version`);
    return null;
  }
  const rejected: CheckpointCorruptError[] = [];
  for (const version of candidates) {
    try {
      const loaded = await readVersion(store, runId, label, `${paths.checkpoints}/${version.name}`);
      return { ...loaded, rejected };
    } catch (error) {
      if (!(error instanceof CheckpointCorruptError)) throw error;
      rejected.push(error);
    }
  }
  throw new Error(
    `no usable "${label}" checkpoint for run ${runId}; delete ${paths.checkpoints} to start over:\n${rejected.map((e) => `  ${e.message}`).join('\n')}`,
  );
}

/**
 * Puts a checkpoint's weights into the model and its optimizer state into the
 * optimizers (a resume). Names and shapes must match exactly; a mismatch throws an
 * error naming the tensor (a checkpoint of another architecture or config).
 */
export function restoreInto(model: AutoencoderModel, optimizers: ReadonlyMap<string, Adam>, checkpoint: LoadedCheckpoint): void {
  const where = checkpoint.folder;
  const variables = checkWeights(model, checkpoint);
  const savedOptimizers = Object.keys(checkpoint.state.optimizers);
  const unknown = savedOptimizers.filter((name) => !optimizers.has(name));
  if (unknown.length > 0 || savedOptimizers.length !== optimizers.size) {
    throw new Error(`checkpoint ${where} has optimizers [${savedOptimizers.join(', ')}], this trainer has [${[...optimizers.keys()].join(', ')}]`);
  }
  const orphans = [...checkpoint.optimizerSlots.keys()].filter((key) => !optimizers.has(key.slice(0, key.indexOf('/'))));
  if (orphans.length > 0) throw new Error(`checkpoint ${where}: optimizer tensors of no optimizer: ${orphans.slice(0, 5).join(', ')}`);

  for (const [optimizerName, optimizer] of optimizers) {
    const prefix = `${optimizerName}/`;
    const slots = new Map<string, tf.Tensor>();
    try {
      for (const [key, host] of checkpoint.optimizerSlots) {
        if (key.startsWith(prefix)) slots.set(key.slice(prefix.length), toTensor(host));
      }
      try {
        optimizer.restore(checkpoint.state.optimizers[optimizerName], slots);
      } catch (error) {
        throw new Error(`checkpoint ${where}, optimizer "${optimizerName}": ${(error as Error).message}`);
      }
    } finally {
      tf.dispose([...slots.values()]);
    }
  }
  assignWeights(variables, checkpoint);
}

/** Puts a checkpoint's weights (parameters and buffers) into a model, e.g. `best` for evaluation. */
export function restoreWeights(model: AutoencoderModel, checkpoint: LoadedCheckpoint): void {
  assignWeights(checkWeights(model, checkpoint), checkpoint);
}

function checkWeights(model: AutoencoderModel, checkpoint: LoadedCheckpoint): Map<string, tf.Variable> {
  const where = checkpoint.folder;
  const variables = new Map<string, tf.Variable>([...model.parameters, ...model.buffers]);
  for (const [name, variable] of variables) {
    const saved = checkpoint.weights.get(name);
    if (saved === undefined) throw new Error(`checkpoint ${where} has no tensor "${name}", which the model ${model.name} needs`);
    if (!sameShape(saved.shape, variable.shape)) {
      throw new Error(`checkpoint ${where}: "${name}" has shape [${saved.shape.join(', ')}], the model expects [${variable.shape.join(', ')}]`);
    }
    if (saved.dtype !== DTYPES[variable.dtype as keyof typeof DTYPES]) {
      throw new Error(`checkpoint ${where}: "${name}" is ${saved.dtype}, the model expects ${variable.dtype}`);
    }
  }
  const extra = [...checkpoint.weights.keys()].filter((name) => !variables.has(name));
  if (extra.length > 0) throw new Error(`checkpoint ${where} has tensors the model ${model.name} does not: ${extra.slice(0, 5).join(', ')}`);
  return variables;
}

function assignWeights(variables: ReadonlyMap<string, tf.Variable>, checkpoint: LoadedCheckpoint): void {
  for (const [name, variable] of variables) {
    const value = toTensor(checkpoint.weights.get(name)!);
    variable.assign(value);
    value.dispose();
  }
}

/**
 * Forgets every version of both labels beyond `position` (left by a timeline that a
 * resume abandons: an epoch whose `best` was written but whose `latest` was not) and
 * points each alias at its newest remaining version, or removes it.
 */
export async function discardCheckpointsAfter(store: ArtifactStore, runId: string, position: TrainingPosition): Promise<void> {
  const paths = runPaths(runId);
  for (const label of ['latest', 'best'] as const) {
    const versions = await listVersions(store, runId, label);
    const beyond = versions.filter((version) => comparePositions(version.position, position) > 0);
    if (beyond.length === 0) continue;
    await pointAliasAtNewest(store, runId, label, (version) => comparePositions(version.position, position) <= 0);
    for (const version of beyond) await store.remove(`${paths.checkpoints}/${version.name}`);
  }
}

export function comparePositions(a: TrainingPosition, b: TrainingPosition): number {
  return a.epoch - b.epoch || a.batch - b.batch;
}

async function readVersion(
  store: ArtifactStore,
  runId: string,
  label: CheckpointLabel,
  folder: string,
): Promise<Omit<LoadedCheckpoint, 'rejected'>> {
  const stateKey = `${folder}/${STATE_FILE}`;
  const stateText = await readOrCorrupt(store, stateKey, 'state.json is missing (the save did not finish)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(stateText.toString('utf8'));
  } catch {
    throw new CheckpointCorruptError(stateKey, 'not valid JSON (truncated?)');
  }
  const checked = checkpointStateSchema.safeParse(parsed);
  if (!checked.success) throw new CheckpointCorruptError(stateKey, z.prettifyError(checked.error).replaceAll('\n', '; '));
  const state = checked.data;
  if (state.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointCorruptError(stateKey, `format version ${state.formatVersion} is newer than this aelab reads (${CHECKPOINT_FORMAT_VERSION}); upgrade aelab`);
  }
  if (state.runId !== runId || state.label !== label) {
    throw new CheckpointCorruptError(stateKey, `belongs to run ${state.runId} label ${state.label}, expected run ${runId} label ${label}`);
  }
  const tensors = new Map<string, Map<string, SafetensorsTensor>>();
  for (const file of [WEIGHTS_FILE, OPTIMIZER_FILE]) {
    const key = `${folder}/${file}`;
    const expected = state.files[file];
    if (expected === undefined) throw new CheckpointCorruptError(stateKey, `lists no ${file}`);
    const bytes = await readOrCorrupt(store, key, 'missing');
    if (bytes.byteLength !== expected.bytes) throw new CheckpointCorruptError(key, `${bytes.byteLength} bytes, state.json says ${expected.bytes} (truncated?)`);
    const digest = sha256(bytes);
    if (digest !== expected.sha256) throw new CheckpointCorruptError(key, `sha256 ${digest} does not match ${expected.sha256} in state.json`);
    let decoded: Map<string, SafetensorsTensor>;
    try {
      // A plain Uint8Array view: the reader copies each tensor with `slice`, which on a Buffer would not copy.
      decoded = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), key);
    } catch (error) {
      throw new CheckpointCorruptError(key, (error as Error).message);
    }
    const unsupported = [...decoded].find(([, tensor]) => tensor.dtype !== 'F32' && tensor.dtype !== 'I32');
    if (unsupported) throw new CheckpointCorruptError(key, `tensor "${unsupported[0]}" is ${unsupported[1].dtype}; checkpoints hold F32 and I32 only`);
    tensors.set(file, decoded);
  }
  return { folder, state, weights: tensors.get(WEIGHTS_FILE)!, optimizerSlots: tensors.get(OPTIMIZER_FILE)! };
}

async function readOrCorrupt(store: ArtifactStore, key: string, reasonIfMissing: string): Promise<Buffer> {
  try {
    return await store.read(key);
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) throw new CheckpointCorruptError(key, reasonIfMissing);
    throw error;
  }
}

async function listVersions(store: ArtifactStore, runId: string, label: CheckpointLabel): Promise<Version[]> {
  const versions: Version[] = [];
  for (const name of await store.list(runPaths(runId).checkpoints)) {
    const match = VERSION_PATTERN.exec(name);
    if (match === null || match[1] !== label) continue;
    versions.push({ name, label, position: { epoch: Number(match[2]), batch: Number(match[3]) } });
  }
  return versions.sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function pointAliasAtNewest(store: ArtifactStore, runId: string, label: CheckpointLabel, keep: (version: Version) => boolean): Promise<void> {
  const paths = runPaths(runId);
  const newest = (await listVersions(store, runId, label)).filter(keep).at(-1);
  if (newest === undefined) await store.remove(paths.checkpointVersion(label));
  else await store.pointTo(paths.checkpointVersion(label), `${paths.checkpoints}/${newest.name}`);
}

const DTYPES = SAFETENSORS_DTYPES;

async function hostTensors(entries: Iterable<[string, tf.Tensor]>): Promise<Map<string, SafetensorsTensor>> {
  const out = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of entries) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') throw new Error(`cannot checkpoint "${name}" of dtype ${tensor.dtype}`);
    const data = (await tensor.data()) as Float32Array | Int32Array;
    out.set(name, { dtype: DTYPES[tensor.dtype], shape: [...tensor.shape], data });
  }
  return out;
}

function toTensor(saved: SafetensorsTensor): tf.Tensor {
  return tf.tensor(saved.data as Float32Array | Int32Array, saved.shape, saved.dtype === 'I32' ? 'int32' : 'float32');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, index) => size === b[index]);
}
