import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainRun, type EpochRecord, type TrainRunOptions } from '../../../../shared/ml/training/train-run.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { useTempStore } from './helpers/temp-store.ts';
import { useCpuBackend, useThreads } from './helpers/tf-cpu.ts';
import { tinyConfig } from './helpers/tiny-config.ts';
import { metricsWithoutTimes } from './helpers/tiny-run.ts';

beforeAll(useCpuBackend);

let store: LocalArtifactStore;
let root: string;
useTempStore((fresh) => ({ store, root } = fresh));

/** The smoke-sized official ConvAutoEncoder (channels [8,16,16], 3 stride-2 levels) on 32×32 phantoms. */
const smoke = (nrEpochs: number) =>
  tinyConfig({ nrEpochs, size: 32, batchSize: 8, lr: 5e-3, data: { name: 'phantoms', args: { train_count: 32, val_count: 8, test_count: 0, seed: 7 } } });

const run = (runId: string, nrEpochs: number, options: Partial<TrainRunOptions> = {}) =>
  trainRun({ runId, config: smoke(nrEpochs), store, stopRequested: () => null, onWarning: () => undefined, ...options });

const file = (runId: string, name: string) => readFile(join(root, `runs/${runId}/checkpoints/latest/${name}`));

describe('trainRun with the registry conv autoencoder on phantoms', () => {
  it('lowers the training and validation loss over a few epochs', async () => {
    const records: EpochRecord[] = [];
    const result = await run('fall', 4, { onEpochEnd: (record) => void records.push(record) });
    console.log(`smoke epochs: ${records.map((r) => `${r.time_s.toFixed(2)} s (${r.images_per_s.toFixed(1)} img/s)`).join(', ')}`);
    expect(result.status).toBe('completed');
    expect(records[3].train.loss).toBeLessThan(records[0].train.loss * 0.9);
    expect(records[3].val.loss_prec).toBeLessThan(records[0].val.loss_prec * 0.9);
  });

  it('preempted mid-epoch and run again, it ends bit for bit where an uninterrupted run ends', async () => {
    await run('straight', 2);

    let trained = 0;
    const preempted = await run('resumed', 2, { onBatchEnd: () => void trained++, stopRequested: () => (trained === 6 ? 'preempt' : null) });
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    const resumed = await run('resumed', 2);
    expect(resumed).toMatchObject({ status: 'completed', epochsCompleted: 2, resumedFrom: { epoch: 1, batch: 2 } });

    expect((await file('resumed', 'weights.safetensors')).equals(await file('straight', 'weights.safetensors'))).toBe(true);
    expect((await file('resumed', 'optimizer.safetensors')).equals(await file('straight', 'optimizer.safetensors'))).toBe(true);
    expect(await metricsWithoutTimes(store, 'resumed')).toEqual(await metricsWithoutTimes(store, 'straight'));
  });

  it('two runs with the same seed on two convolution threads end with the same weights, bit for bit', async () => {
    await useThreads(2, async () => {
      await run('first', 1);
      await run('second', 1);
    });
    expect((await file('second', 'weights.safetensors')).equals(await file('first', 'weights.safetensors'))).toBe(true);
  });

  it('a new run whose config names experiment.weights starts from that checkpoint, not from scratch', async () => {
    const source: EpochRecord[] = [];
    await run('source', 2, { onEpochEnd: (record) => void source.push(record) });
    const bestFolder = join(root, 'runs/source/checkpoints/best');
    const config = smoke(1);
    config.experiment.weights = bestFolder;
    config.trainer.params.lr = 1e-12; // a step too small to move the weights: epoch 0 validates the loaded ones
    const started: EpochRecord[] = [];
    await trainRun({ runId: 'from-weights', config, store, stopRequested: () => null, onWarning: () => undefined, onEpochEnd: (record) => void started.push(record) });
    const bestSource = Math.min(...source.map((record) => record.val.loss_prec));
    expect(started[0].val.loss_prec).toBeCloseTo(bestSource, 6);

    config.experiment.weights = join(root, 'nowhere');
    await expect(trainRun({ runId: 'missing-weights', config, store, stopRequested: () => null, onWarning: () => undefined })).rejects.toThrow(
      /experiment\.weights: cannot start from .*nowhere/,
    );
  });
});
