import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import { trainRun, type EpochRecord, type TrainRunOptions } from '../../../../shared/ml/training/train-run.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { tempStore } from './helpers/temp-store.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { metricsWithoutTimes } from './helpers/tiny-run.ts';

/**
 * The AAE at its smallest official shape (32×32, extra_layers 0) with d = 4 and z_dim 8,
 * trained by the real aae trainer on phantoms. One run of 4 epochs is shared by the tests.
 */
const EPOCHS = 4;

function config(extra: Record<string, unknown> = {}): ExperimentConfig {
  const base = tinyConfig({
    nrEpochs: EPOCHS,
    size: 32,
    batchSize: 4,
    lr: 1e-2,
    patience: 1,
    model: { name: 'aae', params: { z_dim: 8, d: 4, extra_layers: 0 } },
    data: phantomData(12, 4),
  });
  return { ...base, trainer: { ...base.trainer, name: 'aae', params: { ...base.trainer.params, extra } } };
}

let store: LocalArtifactStore;
let root: string;
let cleanup: () => Promise<void>;
const records: EpochRecord[] = [];

const run = (runId: string, options: Partial<TrainRunOptions> & { extra?: Record<string, unknown> } = {}) => {
  const { extra, ...rest } = options;
  return trainRun({ runId, config: config(extra), store, stopRequested: () => null, onWarning: () => undefined, ...rest });
};
const file = (runId: string, name: string) => readFile(join(root, `runs/${runId}/checkpoints/latest/${name}`));

beforeAll(async () => {
  await useCpuBackend();
  ({ store, root, cleanup } = await tempStore());
  const started = performance.now();
  const result = await run('reference', { onEpochEnd: (record) => void records.push(record) });
  console.log(
    `aae tiny: ${((performance.now() - started) / 1000).toFixed(1)} s for ${EPOCHS} epochs; ` +
      records.map((r) => `train loss_rec ${r.train.loss_rec.toFixed(4)} val loss_rec ${r.val.loss_rec!.toFixed(4)}`).join(' | '),
  );
  expect(result.status).toBe('completed');
}, 60_000);
afterAll(() => cleanup());

describe('the AAE trains through the aae trainer', () => {
  it('its reconstruction BCE falls over a few epochs, with every adversarial loss finite', () => {
    expect(records).toHaveLength(EPOCHS);
    expect(records[EPOCHS - 1].train.loss_rec).toBeLessThan(records[0].train.loss_rec * 0.9);
    expect(records[EPOCHS - 1].val.loss_rec).toBeLessThan(records[0].val.loss_rec);
    for (const record of records) {
      for (const name of ['loss_d', 'loss_g', 'loss_zd', 'loss_e']) expect(Number.isFinite(record.train[name]), name).toBe(true);
      expect(record.lr).toBe(1e-2);
    }
  });

  it('reference early stopping never triggers; every_epoch stops after the first epoch without improvement (patience 1)', async () => {
    const firstWorse = records.findIndex((r, i) => i > 0 && r.val.loss_rec! >= Math.min(...records.slice(0, i).map((p) => p.val.loss_rec!)));
    // The premise: the reference run (all epochs completed) had an epoch that did not improve.
    expect(firstWorse).toBeGreaterThan(0);
    const stopped = await run('every-epoch', { extra: { early_stopping: 'every_epoch' } });
    expect(stopped).toMatchObject({ status: 'early_stopped', epochsCompleted: firstWorse + 1 });
    expect(await metricsWithoutTimes(store, 'every-epoch')).toEqual((await metricsWithoutTimes(store, 'reference')).slice(0, firstWorse + 1));
  }, 60_000);

  it('preempted mid-epoch and resumed, it ends bit for bit where the uninterrupted run ends (latent noise and all four Adams)', async () => {
    let trained = 0;
    const preempted = await run('resumed', { onBatchEnd: () => void trained++, stopRequested: () => (trained === 4 ? 'preempt' : null) });
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    const resumed = await run('resumed');
    expect(resumed).toMatchObject({ status: 'completed', epochsCompleted: EPOCHS, resumedFrom: { epoch: 1, batch: 1 } });
    expect((await file('resumed', 'weights.safetensors')).equals(await file('reference', 'weights.safetensors'))).toBe(true);
    expect((await file('resumed', 'optimizer.safetensors')).equals(await file('reference', 'optimizer.safetensors'))).toBe(true);
    expect(await metricsWithoutTimes(store, 'resumed')).toEqual(await metricsWithoutTimes(store, 'reference'));
  }, 60_000);
});
