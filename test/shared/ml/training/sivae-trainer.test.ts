import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/config/config-error.ts';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import { buildModel, validateModelParams } from '../../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { createSivaeTrainer } from '../../../../shared/ml/training/sivae-trainer.ts';
import { trainRun, type EpochRecord, type TrainRunOptions } from '../../../../shared/ml/training/train-run.ts';
import { TrainingDivergedError } from '../../../../shared/ml/training/training-diverged-error.ts';
import type { LocalArtifactStore } from '../../../../shared/storage/local-artifact-store.ts';
import { useTempStore } from './helpers/temp-store.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';
import { phantomData, tinyConfig } from './helpers/tiny-config.ts';
import { tinyModel } from './helpers/tiny-model.ts';
import { metricsWithoutTimes } from './helpers/tiny-run.ts';

beforeAll(useCpuBackend);

let store: LocalArtifactStore;
let root: string;
useTempStore((fresh) => ({ store, root } = fresh));

/**
 * A tiny Soft-IntroVAE (channels [8, 16], zdim 8) with the sivae trainer on 16×16 phantoms,
 * batches of 8. One step runs the encoder 6 and the decoder 8 times forward and back:
 * ~0.6 s on the pure-JS backend at this size, ~3× that at 32×32 with channels [8, 16, 16].
 */
function tinySivae(nrEpochs: number, extra: Record<string, unknown> = {}, trainCount = 24): ExperimentConfig {
  const base = tinyConfig({
    nrEpochs,
    size: 16,
    batchSize: 8,
    lr: 5e-3,
    model: { name: 'soft_intro_vae', params: { cdim: 1, zdim: 8, channels: [8, 16], image_size: 16 } },
    data: phantomData(trainCount, 8),
  });
  return { ...base, trainer: { ...base.trainer, name: 'sivae', params: { ...base.trainer.params, extra } } };
}

const run = (runId: string, config: ExperimentConfig, options: Partial<TrainRunOptions> = {}) =>
  trainRun({ runId, config, store, stopRequested: () => null, onWarning: () => undefined, ...options });

const file = (runId: string, name: string) => readFile(join(root, `runs/${runId}/checkpoints/latest/${name}`));

/** The SI-VAE of a tiny config on 16×16 images, in reference mode, from a fixed seed. */
const sivaeModel = (config: ExperimentConfig) => buildModel(config.model, { mode: 'reference', random: new SeededRandom(1), inputSize: [16, 16] });

const disposeAll = (...held: { dispose(): void }[]) => held.forEach((thing) => thing.dispose());

describe('the sivae trainer (official SIVAETrainer)', () => {
  it('trains the tiny model on phantoms: reconstruction and validation MSE fall, the expELBO terms stay in (0, 1]', async () => {
    const records: EpochRecord[] = [];
    const result = await run('fall', tinySivae(4), { onEpochEnd: (record) => void records.push(record) });
    console.log(
      `sivae tiny epochs: ${records.map((r) => `${r.time_s.toFixed(2)} s, loss_rec ${r.train.loss_rec.toFixed(1)}, val mse ${r.val.loss_mse.toFixed(4)}`).join('; ')}`,
    );
    expect(result).toMatchObject({ status: 'completed', epochsCompleted: 4 });
    expect(Object.keys(records[0].train).sort()).toEqual(['expelbo_fake', 'expelbo_rec', 'kl_real', 'loss', 'loss_d', 'loss_e', 'loss_rec']);
    expect(records[0].train.loss).toBeCloseTo(records[0].train.loss_e + records[0].train.loss_d, 5);
    expect(records[3].train.loss).toBeLessThan(records[0].train.loss * 0.5);
    expect(records[3].train.loss_rec).toBeLessThan(records[0].train.loss_rec * 0.9);
    expect(records[3].val.loss_mse).toBeLessThan(records[0].val.loss_mse * 0.9);
    for (const record of records) {
      expect(record.val.loss_prec).toBe(record.val.loss_mse);
      for (const term of [record.train.expelbo_rec, record.train.expelbo_fake]) {
        expect(term).toBeGreaterThan(0);
        expect(term).toBeLessThanOrEqual(1);
      }
    }
    expect(result.best!.metric).toBe('val.loss_prec');
  });

  it('preempted mid-epoch and run again, it ends bit for bit where an uninterrupted run ends (both Adams, all noise)', async () => {
    const config = tinySivae(2, {}, 16);
    await run('straight', config);
    let trained = 0;
    const preempted = await run('resumed', config, { onBatchEnd: () => void trained++, stopRequested: () => (trained === 3 ? 'preempt' : null) });
    expect(preempted).toMatchObject({ status: 'preempted', epochsCompleted: 1 });
    const resumed = await run('resumed', config);
    expect(resumed).toMatchObject({ status: 'completed', epochsCompleted: 2, resumedFrom: { epoch: 1, batch: 1 } });

    expect((await file('resumed', 'weights.safetensors')).equals(await file('straight', 'weights.safetensors'))).toBe(true);
    const optimizer = await file('straight', 'optimizer.safetensors');
    expect(optimizer.includes('encoder/encoder.fc.weight/exp_avg')).toBe(true);
    expect(optimizer.includes('decoder/decoder.fc.0.weight/exp_avg')).toBe(true);
    expect((await file('resumed', 'optimizer.safetensors')).equals(optimizer)).toBe(true);
    expect(await metricsWithoutTimes(store, 'resumed')).toEqual(await metricsWithoutTimes(store, 'straight'));
  });

  it('a step moves every encoder parameter with the encoder Adam and every decoder parameter with the decoder Adam, leaking nothing', async () => {
    const config = tinySivae(1);
    const model = sivaeModel(config);
    const trainer = createSivaeTrainer(model, config);
    const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const losses = await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(3) });
    expect(Number.isFinite(losses.loss)).toBe(true);
    // The first step creates the Adam moments; later steps leave no tensor behind.
    const tensors = tf.memory().numTensors;
    await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(4) });
    expect(tf.memory().numTensors).toBe(tensors);
    const stepped = (name: string) => Object.keys(trainer.optimizers.get(name)!.stateMeta().steps).sort();
    const names = [...model.parameters.keys()];
    expect(stepped('encoder')).toEqual(names.filter((n) => n.startsWith('encoder.')).sort());
    expect(stepped('decoder')).toEqual(names.filter((n) => n.startsWith('decoder.')).sort());
    disposeAll(x, trainer, model);
  });

  it('validation samples in reference mode and decodes mu with sample_at_validation: false', async () => {
    const config = tinySivae(1);
    const model = sivaeModel(config);
    const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const sampling = createSivaeTrainer(model, config);
    expect((await sampling.validateBatch(x)).loss_mse).not.toBe((await sampling.validateBatch(x)).loss_mse);
    const deterministic = createSivaeTrainer(model, tinySivae(1, { sample_at_validation: false }));
    const mse = (await deterministic.validateBatch(x)).loss_mse;
    expect((await deterministic.validateBatch(x)).loss_mse).toBe(mse);
    const decodedMu = tf.tidy(() => tf.mean(tf.square(tf.sub(model.forward(x, { training: false }).xRec, x))).dataSync()[0]);
    expect(mse).toBeCloseTo(decodedMu, 7);
    disposeAll(x, sampling, deterministic, model);
  });

  it('a NaN loss ends the run with TrainingDivergedError', async () => {
    const config = tinySivae(1);
    const model = sivaeModel(config);
    const trainer = createSivaeTrainer(model, config);
    const x = tf.fill([2, 16, 16, 1], Number.NaN) as tf.Tensor4D;
    await expect(trainer.trainStep(x, { epoch: 3, random: new SeededRandom(3) })).rejects.toThrow(TrainingDivergedError);
    await expect(trainer.trainStep(x, { epoch: 3, random: new SeededRandom(3) })).rejects.toThrow(/diverged at epoch 3: SI-VAE loss_e is NaN/);
    disposeAll(x, trainer, model);
  });

  it('refuses another model and bad trainer params, naming the key', () => {
    const model = tinyModel(new SeededRandom(1));
    expect(() => createSivaeTrainer(model, tinySivae(1))).toThrow(/trains the soft_intro_vae model .*not "tiny_autoencoder"/);
    model.dispose();
    const vae = buildModel(tinySivae(1).model, { mode: 'reference', random: new SeededRandom(1), inputSize: [16, 16] });
    const bad = () => createSivaeTrainer(vae, tinySivae(1, { beta_neg: 'lots' }));
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/trainer\.params\.beta_neg: /);
    vae.dispose();
  });

  it('configs/experiments/cxr/si-vae.yaml resolves to this model and trainer with the official settings', () => {
    const { config } = loadExperimentConfigFile(join(import.meta.dirname, '../../../../configs/experiments/cxr/si-vae.yaml'));
    expect(config.model).toEqual({
      name: 'soft_intro_vae',
      params: { cdim: 1, zdim: 128, channels: [64, 128, 256, 512, 512], image_size: 128, conditional: false },
    });
    expect(() => validateModelParams(config.model)).not.toThrow();
    expect(config.trainer.name).toBe('sivae');
    expect(config.trainer.params).toMatchObject({ lr: 5e-5, nrEpochs: 1000, lrScheduler: 'none' });
    expect(config.trainer.params.extra).toEqual({ beta_rec: 1, beta_kl: 1, beta_neg: 256, gamma_r: 1e-8 });
    expect(config.trainer.dataLoader).toMatchObject({ targetSize: [128, 128], batchSize: 32 });
    expect(config.experiment.weights).toBeNull();
    // The trainer accepts the config's params (built here on a tiny model of the same class).
    const vae = buildModel(tinySivae(1).model, { mode: 'reference', random: new SeededRandom(1), inputSize: [16, 16] });
    createSivaeTrainer(vae, config).dispose();
    vae.dispose();
  });
});
