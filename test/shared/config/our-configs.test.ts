import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { loadExperimentConfigFile } from '../../../shared/config/load-experiment-config.ts';
import { validateExperiment } from '../../../shared/experiment/validate-experiment.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const configsDir = path.join(repoRoot, 'configs');
// Sweep and suite configs have their own loaders; everything else under configs/ is an experiment.
const experimentFiles = readdirSync(configsDir, { recursive: true, encoding: 'utf8' })
  // Sweeps (configs/sweeps, and configs/smoke/sweep.yaml) name a base config; they are tested as sweeps. Suites name several.
  .filter((file) => /\.ya?ml$/.test(file) && !file.split(path.sep).some((part) => part === 'sweeps' || part === 'suites') && path.basename(file) !== 'sweep.yaml')
  .sort();

describe('configs/', () => {
  it.each(experimentFiles)('%s loads, resolves and passes validateExperiment (the VGG19 weights file given)', (file) => {
    vi.stubEnv('AELAB_VGG19_WEIGHTS', path.join(repoRoot, 'package.json'));
    const loaded = loadExperimentConfigFile(path.join(configsDir, file));
    expect(loaded.config.name).not.toBe('');
    expect(() => validateExperiment(loaded, file)).not.toThrow();
    vi.unstubAllEnvs();
  });

  it('smoke/baseline.yaml is the tiny phantom experiment', () => {
    const { config } = loadExperimentConfigFile(path.join(configsDir, 'smoke/baseline.yaml'));
    expect(config.model).toEqual({
      name: 'conv_autoencoder',
      params: {
        in_channels: 1,
        channels: [8, 16, 16],
        strides: [2, 2, 2],
        kernel_size: 3,
        norm: 'batch',
        act: 'swish',
        deconv_mode: 'stride',
        out_ch: 1,
      },
    });
    expect(config.trainer.name).toBe('reconstruction');
    expect(config.trainer.params).toMatchObject({ nrEpochs: 3, patience: 25, lr: 1e-3, loss: { name: 'l2' } });
    expect(config.trainer.dataLoader).toEqual({
      name: 'phantoms',
      dataDir: { train: [], val: [], test: [] },
      targetSize: [32, 32],
      batchSize: 8,
      args: { train_count: 64, val_count: 16, test_count: 16, seed: 7 },
    });
  });

  it('experiments/cxr/baseline.yaml fixes the official weights defect', () => {
    const { config } = loadExperimentConfigFile(path.join(configsDir, 'experiments/cxr/baseline.yaml'));
    expect(config.experiment).toEqual({ name: '23_MorphAEus', task: 'train', weights: null });
    expect(config.model.name).toBe('conv_autoencoder');
    expect(config.trainer.dataLoader.dataDir.train).toEqual(['CXR/splits/cxr_normal_train.csv']);
  });
});
