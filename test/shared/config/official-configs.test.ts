import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../../shared/config/experiment-config.ts';
import { loadExperimentConfigFile } from '../../../shared/config/load-experiment-config.ts';

const fixturesDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/official-format-configs',
);
const files = readdirSync(fixturesDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.yaml'))
  .sort();

const load = (file: string): ExperimentConfig => loadExperimentConfigFile(path.join(fixturesDir, file)).config;

describe('configs in the official MorphAEus layout load unchanged', () => {
  it('finds one fixture per official model and the teaser and depth-study layouts', () => {
    expect(files).toHaveLength(10);
  });

  it.each(files)('%s loads and resolves', (file) => {
    const { config, raw } = loadExperimentConfigFile(path.join(fixturesDir, file));
    expect(config.trainer.params.lr).toBeGreaterThan(0);
    expect(Object.keys(config.downstreamTasks).length).toBeGreaterThan(0);
    expect(raw.name).toBe(config.name);
  });

  it.each([
    ['cxr/morphaeus.yaml', 'morphaeus', 'morph', 'l2'],
    ['cxr/ae-s.yaml', 'conv_autoencoder', 'reconstruction', 'l1'],
    ['cxr/ae-d.yaml', 'dense_conv_autoencoder', 'reconstruction', 'l1'],
    ['cxr/vae.yaml', 'vae', 'reconstruction', 'vae_loss'],
    ['cxr/b-vae.yaml', 'beta_vae', 'reconstruction', 'vae_hig_loss'],
    ['cxr/aae.yaml', 'aae', 'aae', 'l2'],
    ['cxr/si-vae.yaml', 'soft_intro_vae', 'sivae', 'l2'],
    ['cxr/dae.yaml', 'dae_unet', 'reconstruction', 'l1'],
    ['teaser/ae-s.yaml', 'conv_autoencoder', 'reconstruction', 'l1'],
    ['cor/baseline.yaml', 'conv_autoencoder', 'reconstruction', 'l2'],
  ])('%s maps the official classes onto model %s, trainer %s, loss %s', (file, model, trainer, loss) => {
    const config = load(file);
    expect([config.model.name, config.trainer.name, config.trainer.params.loss.name]).toEqual([model, trainer, loss]);
  });

  it('keeps the values the official code would use, anchors and python tuples expanded', () => {
    const morph = load('cxr/morphaeus.yaml');
    expect(morph.model.params.inshape).toEqual([128, 128]);
    expect(morph.trainer.params).toMatchObject({ nrEpochs: 500, lr: 5e-4, alfa: 0.05, beta: 3, delta: 1, maxIter: 200, patience: 25 });
    expect(morph.trainer.dataLoader).toMatchObject({ name: 'csv', targetSize: [128, 128], batchSize: 64 });
    expect(morph.trainer.dataLoader.dataDir.train).toEqual(['./data/CXR/splits/cxr_normal_train.csv']);
    expect(morph.experiment).toEqual({ name: '23_MorphAEus', task: 'train', weights: './weights/MorphAEus/best_model.pt' });

    const vae = load('cxr/vae.yaml');
    expect(vae.model.params.input_size).toEqual([1, 128, 128]);
    expect(vae.trainer.params.lrScheduler).toBe('plateau');
    expect(vae.trainer.params.loss.params).toEqual({ rec_log_std: 0 });
    expect(vae.trainer.dataLoader.batchSize).toBe(128);

    const dae = load('cxr/dae.yaml');
    expect(dae.trainer.params.lrScheduler).toBe('cosine');
    expect(dae.trainer.params.extra.transformer).toEqual({ name: 'gaussian_noise', params: { noise_std: 0.2, noise_res: 16 } });

    expect(load('cxr/si-vae.yaml').trainer.params.lr).toBe(5e-5);
  });

  it('tolerates what the official configs get wrong or leave empty', () => {
    const morph = load('cxr/morphaeus.yaml');
    // `data.cxr_loader` is where the configs look; the module is data.loaders.cxr_loader.
    const pneumonia = morph.downstreamTasks.pneumonia;
    expect(pneumonia.name).toBe('anomaly_detection');
    expect(pneumonia.dataLoader).toMatchObject({ name: 'csv', targetSize: [128, 128], batchSize: 1, args: { dataset_module: 'cxr' } });
    // compute_fid, compute_scores and checkpoint_path are read by nothing and kept nowhere.
    expect(pneumonia).not.toHaveProperty('compute_fid');
    expect(pneumonia.datasets).toEqual({
      Normal_RSNA: { test: ['./data/CXR/splits/cxr_normal_test.csv'], args: {} },
      Pneumonia: { test: ['./data/CXR/splits/cxr_opa_test.csv'], args: {} },
    });
    // An empty `params:` is no parameters; an empty `weights:` is training from scratch.
    expect(morph.trainer.params.loss).toEqual({ name: 'l2', params: {} });
    expect(load('cxr/aae.yaml').experiment.weights).toBeNull();
    // `additional_layer` beside `params` never reaches the constructor.
    expect(load('cxr/b-vae.yaml').model.params).toEqual({ nc: 1, z_dim: 32 });
    // The misspelt and the real module path of the MedNIST loader mean the same loader.
    const cor = load('cor/baseline.yaml');
    expect(cor.trainer.dataLoader.targetSize).toEqual([64, 64]);
    expect(cor.trainer.dataLoader.args.dataset_module).toBe('mednist');
    expect(cor.downstreamTasks.mednist.dataLoader.args.dataset_module).toBe('mednist');
  });

  it('reads datasets chosen by class, not by CSV, for the generated-data loaders', () => {
    const teaser = load('teaser/ae-s.yaml');
    expect(teaser.downstreamTasks.cifar10.dataLoader).toMatchObject({ name: 'cifar10', batchSize: 8 });
    expect(teaser.downstreamTasks.cifar10.datasets.car).toEqual({ test: [], args: { classes: ['car'] } });
    expect(teaser.downstreamTasks.celeba.dataLoader.name).toBe('celeba');
    expect(teaser.downstreamTasks.mednist.dataLoader.args.dataset_module).toBe('mednist');
  });
});
