import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadExperimentConfigFile } from '../../../../shared/config/load-experiment-config.ts';
import { renderPhantom } from '../../../../shared/data/phantoms.ts';
import { selectBackend } from '../../../../shared/ml/backend/select-backend.ts';
import { buildModel } from '../../../../shared/ml/model-registry.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';
import { createReconstructionTrainer } from '../../../../shared/ml/training/reconstruction-trainer.ts';
import { vgg19StateDict, writeStateDictFile } from '../losses/helpers/vgg19-weights.ts';

function smokeConfig(overrides: Record<string, unknown> = {}) {
  return loadExperimentConfigFile('configs/smoke/baseline.yaml', overrides).config;
}

function phantomBatch(): tf.Tensor4D {
  const images = new Float32Array(2 * 32 * 32);
  for (let i = 0; i < 2; i += 1) images.set(renderPhantom({ seed: 3, index: i, size: [32, 32] }).image, i * 32 * 32);
  return tf.tensor4d(images, [2, 32, 32, 1]);
}

describe('the reconstruction trainer (official Trainer.py) with a perceptual term', () => {
  const directory = mkdtempSync(join(tmpdir(), 'aelab-rec-vgg-'));
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('refuses alfa > 0 without a VGG19 weights file, naming trainer.params.alfa', () => {
    vi.stubEnv('AELAB_VGG19_WEIGHTS', '');
    const config = smokeConfig({ 'trainer.params.alfa': 0.05 });
    const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: [32, 32] });
    expect(() => createReconstructionTrainer(model, config)).toThrow(/trainer\.params\.alfa/);
    model.dispose();
    vi.unstubAllEnvs();
  });

  it('optimises criterion + alfa·PL(x_rec, x) and reports loss_pl in validation', async () => {
    const weights = writeStateDictFile(join(directory, 'vgg19.safetensors'), vgg19StateDict(5));
    const config = smokeConfig({ 'trainer.params.alfa': 0.05, 'trainer.params.perceptual_weights': weights });
    const model = buildModel(config.model, { mode: config.mode, random: new SeededRandom(1), inputSize: [32, 32] });
    const trainer = createReconstructionTrainer(model, config);
    const x = phantomBatch();
    const validation = await trainer.validateBatch(x);
    const losses = await trainer.trainStep(x, { epoch: 0, random: new SeededRandom(0) });
    expect(losses.loss_pl).toBeGreaterThan(0);
    expect(losses.loss).toBeCloseTo(losses.loss_rec + 0.05 * losses.loss_pl, 6);
    expect(validation.loss_pl).toBeCloseTo(losses.loss_pl, 5);
    x.dispose();
    trainer.dispose();
    model.dispose();
  });
});
