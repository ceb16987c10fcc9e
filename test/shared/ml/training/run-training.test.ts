import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/config/config-error.ts';
import type { ImageBatch } from '../../../../shared/data/image-dataset.ts';
import type { EpochRecord } from '../../../../shared/ml/training/epoch-record.ts';
import { TrainingDivergedError } from '../../../../shared/ml/training/training-diverged-error.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { discDataset } from './helpers/memory-dataset.ts';
import { useTempStore } from './helpers/temp-store.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';
import { tinyConfig } from './helpers/tiny-config.ts';
import { metricsWithoutTimes, runTiny, tinyComponents } from './helpers/tiny-run.ts';

beforeAll(useCpuBackend);

let store: LocalArtifactStore;
let root: string;
useTempStore((fresh) => ({ store, root } = fresh));

const latestWeights = (runId: string) => readFile(join(root, `runs/${runId}/checkpoints/latest/weights.safetensors`));

/** Asks for `request` once, when the loop is about to train batch `batch` of epoch `epoch`. */
function stopAt(epoch: number, batch: number, request: 'cancel' | 'preempt') {
  let position = { epoch: 0, batch: 0 };
  let asked = false;
  return {
    onBatchEnd: (info: { epoch: number; batch: number; batchesPerEpoch: number }) => {
      position = info.batch + 1 === info.batchesPerEpoch ? { epoch: info.epoch + 1, batch: 0 } : { epoch: info.epoch, batch: info.batch + 1 };
    },
    stopRequested: () => {
      if (asked || position.epoch !== epoch || position.batch !== batch) return null;
      asked = true;
      return request;
    },
  };
}

describe('the training loop', () => {
  it('trains every epoch, writes one metrics record each, and keeps latest and best', async () => {
    const records: EpochRecord[] = [];
    const result = await runTiny(store, 'a', { nrEpochs: 4 }, { onEpochEnd: (record) => void records.push(record) });
    expect(result).toMatchObject({ status: 'completed', epochsCompleted: 4, resumedFrom: null });
    const metrics = await metricsWithoutTimes(store, 'a');
    expect(metrics.map((record) => record.epoch)).toEqual([0, 1, 2, 3]);
    expect(Object.keys(records[0]).sort()).toEqual(['epoch', 'images_per_s', 'lr', 'time_s', 'train', 'val']);
    expect(Object.keys(records[0].val).sort()).toEqual(['loss_mse', 'loss_prec']);
    expect(records[0].lr).toBe(1e-2);
    // Loss falls.
    expect(records[3].train.loss).toBeLessThan(records[0].train.loss);
    expect(records[3].val.loss_prec).toBeLessThan(records[0].val.loss_prec);
    // l2 criterion: loss_prec is the mse.
    expect(records[3].val.loss_prec).toBeCloseTo(records[3].val.loss_mse, 7);
    const best = result.best!;
    expect(best.metric).toBe('val.loss_prec');
    expect(best.value).toBe(Math.min(...records.map((record) => record.val.loss_prec)));
    expect(await store.resolveAlias('runs/a/checkpoints/latest')).toBe('runs/a/checkpoints/latest-000004-000000');
    expect(await store.resolveAlias('runs/a/checkpoints/best')).toBe(`runs/a/checkpoints/best-${String(best.epoch + 1).padStart(6, '0')}-000000`);
  });

  it('leaks no tensors: the count is flat from batch to batch and back to the start after the run', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await runTiny(store, 'leaks', { nrEpochs: 2, lrScheduler: 'plateau' }, { onBatchEnd: () => void counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(12);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a run preempted mid-epoch and resumed ends with exactly the weights of an uninterrupted run', async () => {
    await runTiny(store, 'straight', { nrEpochs: 3 });

    const stop = stopAt(1, 2, 'preempt');
    const first = await runTiny(store, 'resumed', { nrEpochs: 3 }, stop);
    expect(first).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    expect(await store.resolveAlias('runs/resumed/checkpoints/latest')).toBe('runs/resumed/checkpoints/latest-000001-000002');
    let resumedAt = null;
    const second = await runTiny(store, 'resumed', { nrEpochs: 3 }, { onResume: (from) => void (resumedAt = from) });
    expect(second).toMatchObject({ status: 'completed', epochsCompleted: 3, resumedFrom: { epoch: 1, batch: 2 } });
    expect(resumedAt).toEqual({ epoch: 1, batch: 2 });

    expect((await latestWeights('resumed')).equals(await latestWeights('straight'))).toBe(true);
    // The interrupted epoch reports the same means as the uninterrupted one.
    expect(await metricsWithoutTimes(store, 'resumed')).toEqual(await metricsWithoutTimes(store, 'straight'));
  });

  it('preempted during validation, the resumed run validates without training that epoch again', async () => {
    await runTiny(store, 'straight', { nrEpochs: 2 });
    let batches = 0;
    let validating = false;
    const preemptInValidation = await runTiny(store, 'w', { nrEpochs: 2 }, {
      onBatchEnd: (info) => void (validating = info.epoch === 0 && info.batch === 5),
      stopRequested: () => (validating ? 'preempt' : null),
    });
    expect(preemptInValidation.status).toBe('preempted');
    expect(await store.resolveAlias('runs/w/checkpoints/latest')).toBe('runs/w/checkpoints/latest-000000-000006');
    await runTiny(store, 'w', { nrEpochs: 2 }, { onBatchEnd: (info) => void (info.epoch === 0 && batches++) });
    expect(batches).toBe(0);
    expect((await latestWeights('w')).equals(await latestWeights('straight'))).toBe(true);
  });

  it('after a crash between the metrics record and the checkpoint, the epoch is trained again and listed once', async () => {
    await runTiny(store, 'c', { nrEpochs: 2 });
    // Epoch 2's record was appended, then the process died before its checkpoint.
    await store.appendLine('runs/c/metrics.jsonl', JSON.stringify({ epoch: 2, train: { loss: 9 }, val: {}, lr: 0, time_s: 0, images_per_s: 0 }));
    const warnings: string[] = [];
    await runTiny(store, 'c', { nrEpochs: 4 }, { warnings });
    expect((await metricsWithoutTimes(store, 'c')).map((record) => record.epoch)).toEqual([0, 1, 2, 3]);
    expect(warnings.join('\n')).toMatch(/metrics\.jsonl: dropped 1 record/);
  });

  it('cancel stops at once and keeps the last checkpoint', async () => {
    const result = await runTiny(store, 'x', { nrEpochs: 3 }, stopAt(1, 3, 'cancel'));
    expect(result).toMatchObject({ status: 'cancelled', epochsCompleted: 1 });
    expect(await store.resolveAlias('runs/x/checkpoints/latest')).toBe('runs/x/checkpoints/latest-000001-000000');
    expect((await metricsWithoutTimes(store, 'x')).map((record) => record.epoch)).toEqual([0]);
  });

  it('falls back to the previous checkpoint when the newest is damaged, saying which file', async () => {
    await runTiny(store, 'd', { nrEpochs: 2 });
    await truncate(join(root, 'runs/d/checkpoints/latest-000002-000000/optimizer.safetensors'), 10);
    const warnings: string[] = [];
    const result = await runTiny(store, 'd', { nrEpochs: 3 }, { warnings });
    expect(result.resumedFrom).toEqual({ epoch: 1, batch: 0 });
    expect(warnings[0]).toMatch(/runs\/d\/checkpoints\/latest-000002-000000\/optimizer\.safetensors is unusable.*falling back/);
    expect((await metricsWithoutTimes(store, 'd')).map((record) => record.epoch)).toEqual([0, 1, 2]);

    await runTiny(store, 'd-straight', { nrEpochs: 3 });
    expect((await latestWeights('d')).equals(await latestWeights('d-straight'))).toBe(true);
  });

  it('stops early after patience epochs without improvement, and stays stopped when resumed', async () => {
    const result = await runTiny(store, 'e', { nrEpochs: 10, lr: 1e-12, patience: 2 });
    expect(result).toMatchObject({ status: 'early_stopped', epochsCompleted: 3 });
    expect((await metricsWithoutTimes(store, 'e')).map((record) => record.epoch)).toEqual([0, 1, 2]);
    expect(await runTiny(store, 'e', { nrEpochs: 10, lr: 1e-12, patience: 2 })).toMatchObject({ status: 'early_stopped', epochsCompleted: 3 });
  });

  it('the plateau schedule cuts the lr after 10 epochs without improvement', async () => {
    const records: EpochRecord[] = [];
    // lr 1e-7 moves the loss by less than the 1e-4 relative threshold over these epochs.
    await runTiny(store, 'p', { nrEpochs: 13, lr: 1e-7, lrScheduler: 'plateau' }, { onEpochEnd: (record) => void records.push(record) });
    expect(records.slice(0, 12).map((record) => record.lr)).toEqual(Array(12).fill(1e-7));
    expect(records[12].lr).toBeCloseTo(1e-8, 16);
  });

  it('a NaN loss fails the run with "diverged at epoch N" and keeps best', async () => {
    const train = discDataset(24, 8, 1);
    let poisoned = false;
    const poisonedTrain = {
      ...train,
      load: async (indices: readonly number[]): Promise<ImageBatch> => {
        const batch = await train.load(indices);
        if (poisoned) batch.images[0] = Number.NaN;
        return batch;
      },
    };
    const config = tinyConfig({ nrEpochs: 3 });
    const failure = runTiny(store, 'n', { nrEpochs: 3 }, { components: tinyComponents(config, { train: poisonedTrain }), onEpochEnd: () => void (poisoned = true) });
    await expect(failure).rejects.toThrow(TrainingDivergedError);
    await expect(failure).rejects.toThrow(/^diverged at epoch 1: training loss is NaN at batch 0/);
    expect(await store.resolveAlias('runs/n/checkpoints/best')).toBe('runs/n/checkpoints/best-000001-000000');
  });

  it('refuses to resume with settings other than the checkpoint was trained with', async () => {
    await runTiny(store, 'h', { nrEpochs: 1 });
    await expect(runTiny(store, 'h', { nrEpochs: 2, lr: 0.5 })).rejects.toThrow(ConfigError);
    expect((await runTiny(store, 'h', { nrEpochs: 2 })).resumedFrom).toEqual({ epoch: 1, batch: 0 });
  });

  it('refuses a training split smaller than one batch (drop_last would leave nothing)', async () => {
    const config = tinyConfig({ batchSize: 32 });
    await expect(runTiny(store, 's', { batchSize: 32 }, { components: tinyComponents(config) })).rejects.toThrow(/has 24 images, fewer than one batch of 32/);
  });
});
