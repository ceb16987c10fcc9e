import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AutoencoderModel } from '../../../../shared/ml/autoencoder-model.ts';
import { Adam } from '../../../../shared/ml/optim/adam.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import {
  discardCheckpointsAfter,
  loadCheckpoint,
  restoreInto,
  restoreWeights,
  saveCheckpoint,
  type CheckpointPayload,
} from '../../../../shared/ml/training/checkpoint.ts';
import { CheckpointCorruptError } from '../../../../shared/ml/training/checkpoint-corrupt-error.ts';
import { parameterGradients } from '../../../../shared/ml/training/parameter-gradients.ts';
import type { TrainingPosition, TrainingState } from '../../../../shared/ml/training/training-state.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { useTempStore } from './helpers/temp-store.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';
import { tinyModel } from './helpers/tiny-model.ts';

beforeAll(useCpuBackend);

let store: LocalArtifactStore;
let root: string;
useTempStore((fresh) => ({ store, root } = fresh));

const batch = () => tf.tidy(() => tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D);

function trainStep(model: AutoencoderModel, adam: Adam, x: tf.Tensor4D): void {
  tf.tidy(() => {
    const { grads } = parameterGradients(model.parameters, () => tf.mean(tf.squaredDifference(model.forward(x, { training: true }).xRec, x)) as tf.Scalar);
    adam.applyGradients(grads);
  });
}

const training: TrainingState = {
  best: { epoch: 0, metric: 'val.loss_prec', value: 0.5 },
  earlyStopping: { bestLoss: 0.5, counter: 0, stop: false },
  scheduler: { name: 'none', lr: 0.01 },
  random: { shuffle: [1, 2, 3, 4], step: [5, 6, 7, 8] },
  epochProgress: null,
  trainer: null,
};

function payload(model: AutoencoderModel, adam: Adam, position: TrainingPosition): CheckpointPayload {
  return { position, model, optimizers: new Map([['model', adam]]), training, configHash: 'hash' };
}

async function trainedPair(seed: number): Promise<{ model: AutoencoderModel; adam: Adam }> {
  const model = tinyModel(new SeededRandom(seed));
  const adam = new Adam(model.parameters, { lr: 0.01 });
  const x = batch();
  for (let k = 0; k < 3; k++) trainStep(model, adam, x);
  x.dispose();
  return { model, adam };
}

const weightsOf = (model: AutoencoderModel) => [...model.parameters.values()].map((v) => Array.from(v.dataSync()));

describe('checkpoints', () => {
  it('a restored model gives identical outputs and takes an identical next optimizer step', async () => {
    const { model, adam } = await trainedPair(1);
    model.buffers.get('encoder.scale')!.assign(tf.tensor1d([1, 2, 3, 4]));
    await saveCheckpoint(store, 'r1', 'latest', payload(model, adam, { epoch: 2, batch: 0 }));

    const other = tinyModel(new SeededRandom(99));
    const otherAdam = new Adam(other.parameters, { lr: 0.5 });
    const loaded = await loadCheckpoint(store, 'r1', 'latest');
    expect(loaded?.state.position).toEqual({ epoch: 2, batch: 0 });
    expect(loaded?.state.training).toEqual(training);
    restoreInto(other, new Map([['model', otherAdam]]), loaded!);
    expect(otherAdam.learningRate).toBe(0.01);

    const x = batch();
    const [a, b] = [model, other].map((m) => tf.tidy(() => Array.from(m.forward(x, { training: false }).xRec.dataSync())));
    expect(b).toEqual(a);
    trainStep(model, adam, x);
    trainStep(other, otherAdam, x);
    expect(weightsOf(other)).toEqual(weightsOf(model));
    x.dispose();
  });

  it('restoreWeights loads weights alone, for evaluating a checkpoint', async () => {
    const { model, adam } = await trainedPair(8);
    await saveCheckpoint(store, 'r8', 'best', payload(model, adam, { epoch: 1, batch: 0 }));
    const fresh = tinyModel(new SeededRandom(123));
    restoreWeights(fresh, (await loadCheckpoint(store, 'r8', 'best'))!);
    expect(weightsOf(fresh)).toEqual(weightsOf(model));
  });

  it('writes versioned folders, points the alias at the newest and keeps two', async () => {
    const { model, adam } = await trainedPair(2);
    for (const epoch of [1, 2, 3]) await saveCheckpoint(store, 'r2', 'latest', payload(model, adam, { epoch, batch: 0 }));
    await saveCheckpoint(store, 'r2', 'best', payload(model, adam, { epoch: 2, batch: 0 }));
    expect(await store.list('runs/r2/checkpoints')).toEqual(['best', 'best-000002-000000', 'latest', 'latest-000002-000000', 'latest-000003-000000']);
    expect(await store.resolveAlias('runs/r2/checkpoints/latest')).toBe('runs/r2/checkpoints/latest-000003-000000');
    expect(await store.list('runs/r2/checkpoints/latest')).toEqual(['optimizer.safetensors', 'state.json', 'weights.safetensors']);
    const state = JSON.parse(await store.readText('runs/r2/checkpoints/latest/state.json'));
    expect(state).toMatchObject({ format: 'aelab-checkpoint', formatVersion: 1, position: { epoch: 3, batch: 0 }, configHash: 'hash' });
    expect(state.files['weights.safetensors'].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keep_checkpoints bounds the versions on disk: the two alias targets and the k most recent others', async () => {
    const { model, adam } = await trainedPair(8);
    const saveEpoch = async (runId: string, epoch: number, keep: number) => {
      if (epoch === 2) await saveCheckpoint(store, runId, 'best', payload(model, adam, { epoch, batch: 0 }), keep);
      await saveCheckpoint(store, runId, 'latest', payload(model, adam, { epoch, batch: 0 }), keep);
    };
    for (const epoch of [1, 2, 3, 4, 5, 6]) await saveEpoch('k0', epoch, 0);
    expect(await store.list('runs/k0/checkpoints')).toEqual(['best', 'best-000002-000000', 'latest', 'latest-000006-000000']);
    for (const epoch of [1, 2, 3, 4, 5, 6]) await saveEpoch('k3', epoch, 3);
    expect(await store.list('runs/k3/checkpoints')).toEqual(['best', 'best-000002-000000', 'latest', 'latest-000003-000000', 'latest-000004-000000', 'latest-000005-000000', 'latest-000006-000000']);
    expect((await loadCheckpoint(store, 'k3', 'best'))?.folder).toBe('runs/k3/checkpoints/best-000002-000000');
  });

  it('the weights file is a safetensors file with state_dict names', async () => {
    const { model, adam } = await trainedPair(3);
    await saveCheckpoint(store, 'r3', 'latest', payload(model, adam, { epoch: 1, batch: 0 }));
    const bytes = await readFile(join(root, 'runs/r3/checkpoints/latest/weights.safetensors'));
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
    expect(header['encoder.conv.weight']).toEqual({ dtype: 'F32', shape: [3, 3, 1, 4], data_offsets: [0, 144] });
    expect(header['encoder.scale'].shape).toEqual([4]);
    expect(bytes.length).toBe(8 + headerLength + (36 + 4 + 36 + 1 + 4) * 4);
  });

  it('a truncated newest version is reported by file and the previous one is used', async () => {
    const { model, adam } = await trainedPair(4);
    await saveCheckpoint(store, 'r4', 'latest', payload(model, adam, { epoch: 1, batch: 0 }));
    await saveCheckpoint(store, 'r4', 'latest', payload(model, adam, { epoch: 1, batch: 3 }));
    await truncate(join(root, 'runs/r4/checkpoints/latest-000001-000003/weights.safetensors'), 100);

    const loaded = await loadCheckpoint(store, 'r4', 'latest');
    expect(loaded?.folder).toBe('runs/r4/checkpoints/latest-000001-000000');
    expect(loaded?.rejected).toHaveLength(1);
    expect(loaded?.rejected[0]).toBeInstanceOf(CheckpointCorruptError);
    expect(loaded?.rejected[0].file).toBe('runs/r4/checkpoints/latest-000001-000003/weights.safetensors');
    expect(loaded?.rejected[0].message).toMatch(/latest-000001-000003\/weights\.safetensors is unusable: 100 bytes, state\.json says \d+ \(truncated\?\)/);
  });

  it('a flipped byte fails the sha256 check; with every version damaged loading fails and names each file', async () => {
    const { model, adam } = await trainedPair(5);
    await saveCheckpoint(store, 'r5', 'latest', payload(model, adam, { epoch: 1, batch: 0 }));
    await saveCheckpoint(store, 'r5', 'latest', payload(model, adam, { epoch: 2, batch: 0 }));
    const optimizerFile = join(root, 'runs/r5/checkpoints/latest-000002-000000/optimizer.safetensors');
    const bytes = await readFile(optimizerFile);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(optimizerFile, bytes);
    const loaded = await loadCheckpoint(store, 'r5', 'latest');
    expect(loaded?.rejected[0].message).toMatch(/latest-000002-000000\/optimizer\.safetensors is unusable: sha256 [0-9a-f]+ does not match/);

    await writeFile(join(root, 'runs/r5/checkpoints/latest-000001-000000/state.json'), '{"format": "aelab-ch');
    const failure = loadCheckpoint(store, 'r5', 'latest');
    await expect(failure).rejects.toThrow(/no usable "latest" checkpoint for run r5/);
    await expect(failure).rejects.toThrow(/latest-000001-000000\/state\.json is unusable: not valid JSON/);
  });

  it('returns null when the run has no checkpoint', async () => {
    expect(await loadCheckpoint(store, 'none', 'latest')).toBeNull();
  });

  it('refuses weights whose names or shapes do not fit the model, naming the tensor', async () => {
    const { model, adam } = await trainedPair(6);
    await saveCheckpoint(store, 'r6', 'latest', payload(model, adam, { epoch: 1, batch: 0 }));
    const loaded = (await loadCheckpoint(store, 'r6', 'latest'))!;
    const optimizers = new Map([['model', adam]]);
    const bias = loaded.weights.get('decoder.conv.bias')!;
    loaded.weights.set('decoder.conv.bias', { ...bias, shape: [1, 1] });
    expect(() => restoreInto(model, optimizers, loaded)).toThrow(/"decoder\.conv\.bias" has shape \[1, 1\], the model expects \[1\]/);
    loaded.weights.delete('decoder.conv.bias');
    expect(() => restoreInto(model, optimizers, loaded)).toThrow(/has no tensor "decoder\.conv\.bias"/);
  });

  it('discards versions beyond a position and repoints the aliases', async () => {
    const { model, adam } = await trainedPair(7);
    await saveCheckpoint(store, 'r7', 'best', payload(model, adam, { epoch: 2, batch: 0 }));
    await saveCheckpoint(store, 'r7', 'best', payload(model, adam, { epoch: 4, batch: 0 }));
    await saveCheckpoint(store, 'r7', 'latest', payload(model, adam, { epoch: 3, batch: 0 }));
    await discardCheckpointsAfter(store, 'r7', { epoch: 3, batch: 0 });
    expect(await store.resolveAlias('runs/r7/checkpoints/best')).toBe('runs/r7/checkpoints/best-000002-000000');
    expect(await store.list('runs/r7/checkpoints')).toEqual(['best', 'best-000002-000000', 'latest', 'latest-000003-000000']);
  });
});
