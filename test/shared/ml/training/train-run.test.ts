import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainRun, type EpochRecord } from '../../../../shared/ml/training/train-run.ts';
import { useThreads } from './helpers/tf-cpu.ts';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { useTrainingCase } from './helpers/training-case.ts';

/** The smoke-sized official ConvAutoEncoder (channels [8,16,16], 3 stride-2 levels) on 32×32 phantoms. */
const smoke = (nrEpochs: number) =>
  tinyConfig({ nrEpochs, size: 32, batchSize: 8, lr: 5e-3, data: phantomData(32, 8) });

const training = useTrainingCase('smoke', smoke);

describe('trainRun with the registry conv autoencoder on phantoms', () => {
  it('lowers the training and validation loss over a few epochs', async () => {
    const { result, records } = await training.trainReported('fall', 4, (r) => `${r.time_s.toFixed(2)} s (${r.images_per_s.toFixed(1)} img/s)`);
    expect(result.status).toBe('completed');
    expect(records[3].train.loss).toBeLessThan(records[0].train.loss * 0.9);
    expect(records[3].val.loss_prec).toBeLessThan(records[0].val.loss_prec * 0.9);
  });

  it('preempted mid-epoch and run again, it ends bit for bit where an uninterrupted run ends', async () => {
    const { preempted, resumed } = await training.preemptAndResume(2, 6);
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    expect(resumed).toMatchObject({ status: 'completed', epochsCompleted: 2, resumedFrom: { epoch: 1, batch: 2 } });
    await training.expectSameEnd('resumed', 'straight');
  });

  it('two runs with the same seed on two convolution threads end with the same weights, bit for bit', async () => {
    await useThreads(2, async () => {
      await training.run('first', 1);
      await training.run('second', 1);
    });
    expect((await training.checkpointFile('second', 'weights.safetensors')).equals(await training.checkpointFile('first', 'weights.safetensors'))).toBe(true);
  });

  it('a new run whose config names experiment.weights starts from that checkpoint, not from scratch', async () => {
    const source: EpochRecord[] = [];
    await training.run('source', 2, { onEpochEnd: (record) => void source.push(record) });
    const bestFolder = join(training.root, 'runs/source/checkpoints/best');
    const config = smoke(1);
    config.experiment.weights = bestFolder;
    config.trainer.params.lr = 1e-12; // a step too small to move the weights: epoch 0 validates the loaded ones
    const started: EpochRecord[] = [];
    await trainRun({ runId: 'from-weights', config, store: training.store, stopRequested: () => null, onWarning: () => undefined, onEpochEnd: (record) => void started.push(record) });
    const bestSource = Math.min(...source.map((record) => record.val.loss_prec));
    expect(started[0].val.loss_prec).toBeCloseTo(bestSource, 6);

    config.experiment.weights = join(training.root, 'nowhere');
    await expect(trainRun({ runId: 'missing-weights', config, store: training.store, stopRequested: () => null, onWarning: () => undefined })).rejects.toThrow(
      /experiment\.weights: cannot start from .*nowhere/,
    );
  });
});
