import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../../../shared/config/experiment-config.ts';
import { buildAae, type AaeParams } from '../../../../shared/ml/models/aae.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { aaeLearningRate, createAaeTrainer } from '../../../../shared/ml/training/aae-trainer.ts';
import { buildTrainer } from '../../../../shared/ml/training/trainer-registry.ts';
import { useCpuBackend } from './helpers/tf-cpu.ts';
import { tinyConfig, type TinyConfigOptions } from './helpers/tiny-config.ts';
import { tinyModel } from './helpers/tiny-model.ts';

beforeAll(useCpuBackend);

const TINY: AaeParams = { z_dim: 8, d: 4 };

function aaeConfig(options: TinyConfigOptions & { extra?: Record<string, unknown>; mode?: ExperimentConfig['mode'] } = {}): ExperimentConfig {
  const base = tinyConfig({ size: 32, batchSize: 4, ...options, model: { name: 'aae', params: { ...TINY } } });
  return { ...base, mode: options.mode ?? 'reference', trainer: { ...base.trainer, name: 'aae', params: { ...base.trainer.params, extra: options.extra ?? {} } } };
}

const tinyAae = (params: AaeParams = TINY) => buildAae(params, { mode: 'reference', random: new SeededRandom(1), inputSize: [32, 32] });

describe('the aae trainer (official AAETrainer)', () => {
  it('is registered as "aae" with four Adams (G, D, GE, ZD) of betas (0.5, 0.999), selecting on the validation 2·BCE', () => {
    const model = tinyAae();
    const trainer = buildTrainer(model, aaeConfig({ lr: 5e-4 }));
    expect(trainer.name).toBe('aae');
    expect(trainer.selectionMetric).toBe('loss_rec');
    expect([...trainer.optimizers.keys()]).toEqual(['G', 'D', 'GE', 'ZD']);
    for (const optimizer of trainer.optimizers.values()) {
      expect(optimizer.settings).toMatchObject({ beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
      expect(optimizer.learningRate).toBe(5e-4);
    }
    trainer.dispose();
    model.dispose();
  });

  it('divides every learning rate by 4 at the start of each epoch with (epoch + 1) % 90 == 0', () => {
    expect([0, 88, 89, 178, 179, 269, 499].map((epoch) => aaeLearningRate(5e-4, epoch))).toEqual([
      5e-4, 5e-4, 5e-4 / 4, 5e-4 / 4, 5e-4 / 16, 5e-4 / 64, 5e-4 / 1024,
    ]);
    const model = tinyAae();
    const trainer = createAaeTrainer(model, aaeConfig({ lr: 5e-4 }));
    // A resumed run begins at its epoch and gets the same rate as one that trained through.
    trainer.beginEpoch!(200);
    expect([...trainer.optimizers.values()].map((o) => o.learningRate)).toEqual([5e-4 / 16, 5e-4 / 16, 5e-4 / 16, 5e-4 / 16]);
    trainer.beginEpoch!(88);
    expect(trainer.optimizers.get('GE')!.learningRate).toBe(5e-4);
    trainer.dispose();
    model.dispose();
  });

  it('one step runs D, G, ZD and E+G in train mode: E runs twice, G and D three times, each updating BatchNorm', async () => {
    const model = tinyAae();
    const trainer = createAaeTrainer(model, aaeConfig());
    const x = tf.randomUniform([4, 32, 32, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const losses = await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(2) });
    const tracked = (name: string) => model.buffers.get(`${name}.num_batches_tracked`)!.dataSync()[0];
    expect([tracked('E.conv2_bn'), tracked('G.deconv2_bn'), tracked('D.conv2_bn')]).toEqual([2, 3, 3]);
    // extra_layers 0: the 64×64 and 128×128 levels stay untouched.
    expect(tracked('E.conv1_bn2')).toBe(0);
    expect(Object.keys(losses).sort()).toEqual(['loss', 'loss_d', 'loss_e', 'loss_g', 'loss_rec', 'loss_zd']);
    expect(losses.loss).toBe(losses.loss_rec);
    // At init both discriminators are near chance: BCE ≈ ln 2 per term.
    expect(losses.loss_zd).toBeCloseTo(2 * 2 * Math.LN2, 0);
    expect(losses.loss_e).toBeCloseTo(Math.LN2, 0);
    // Every optimizer stepped exactly its own sub-networks.
    const stepped = (name: string) => Object.keys(trainer.optimizers.get(name)!.stateMeta().steps);
    expect(stepped('D').every((p) => p.startsWith('D.'))).toBe(true);
    expect(stepped('G').every((p) => p.startsWith('G.'))).toBe(true);
    expect(stepped('ZD').every((p) => p.startsWith('ZD.'))).toBe(true);
    expect(new Set(stepped('GE').map((p) => p.split('.')[0]))).toEqual(new Set(['E', 'G']));
    expect(stepped('GE')).not.toContain('E.conv1_2.weight');
    expect(tf.memory().numTensors).toBe(before + countSlots(trainer.optimizers));
    x.dispose();
    trainer.dispose();
    model.dispose();
  });

  it('early stopping: reference follows the official call site (on improvement only), corrected counts every epoch', () => {
    const model = tinyAae();
    expect(createAaeTrainer(model, aaeConfig()).earlyStoppingSees).toBe('on_improvement');
    expect(createAaeTrainer(model, aaeConfig({ mode: 'corrected' })).earlyStoppingSees).toBe('every_epoch');
    expect(createAaeTrainer(model, aaeConfig({ extra: { early_stopping: 'every_epoch' } })).earlyStoppingSees).toBe('every_epoch');
    expect(() => createAaeTrainer(model, aaeConfig({ extra: { early_stopping: 'never' } }))).toThrow(
      /trainer\.params\.early_stopping: expected one of on_improvement, every_epoch, got "never"/,
    );
    model.dispose();
  });

  it('refuses an lr_scheduler, another model, and (cross_batch) a batch size other than the model was built for', () => {
    const model = tinyAae();
    expect(() => createAaeTrainer(model, aaeConfig({ lrScheduler: 'plateau' }))).toThrow(/trainer\.params\.lr_scheduler: .*÷ 4 every 90 epochs/);
    model.dispose();
    const other = tinyModel(new SeededRandom(1));
    expect(() => createAaeTrainer(other, aaeConfig())).toThrow(/trainer: the aae trainer trains the aae model .*"tiny_autoencoder"/);
    other.dispose();
    const crossBatch = tinyAae({ ...TINY, cross_batch: true, batchSize: 8 });
    expect(() => createAaeTrainer(crossBatch, aaeConfig({ batchSize: 4 }))).toThrow(/batch_size: .*batchSize = 8; .* got 4/);
    crossBatch.dispose();
  });
});

/** Adam keeps two moment tensors per stepped parameter. */
function countSlots(optimizers: ReadonlyMap<string, { stateSlots(): Map<string, tf.Tensor> }>): number {
  let n = 0;
  for (const optimizer of optimizers.values()) n += optimizer.stateSlots().size;
  return n;
}
