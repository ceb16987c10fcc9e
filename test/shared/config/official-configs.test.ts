import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperimentConfigFile } from '../../../shared/config/load-experiment-config.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const officialDir = path.resolve(repoRoot, '../shared/reference/official-configs');
const present = existsSync(officialDir);
const files = present
  ? readdirSync(officialDir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.yaml'))
      .sort()
  : [];

describe.skipIf(!present)(
  present ? 'the official MorphAEus configs load unchanged' : `official configs: skipped, ${officialDir} is absent`,
  () => {
    it('finds all twelve official configs', () => {
      expect(files).toHaveLength(12);
    });

    it.each(files)('%s loads and resolves', (file) => {
      const { config, raw } = loadExperimentConfigFile(path.join(officialDir, file));
      expect(config.trainer.params.lr).toBeGreaterThan(0);
      expect(Object.keys(config.downstreamTasks).length).toBeGreaterThan(0);
      expect(raw.name).toBe(config.name);
    });

    it('maps the official classes onto our registry names', () => {
      const names = (file: string) => {
        const { config } = loadExperimentConfigFile(path.join(officialDir, file));
        return [config.model.name, config.trainer.name, config.trainer.params.loss.name];
      };
      expect(names('cxr/morphaeus.yaml')).toEqual(['morphaeus', 'morph', 'l2']);
      expect(names('cxr/ae-d.yaml')).toEqual(['dense_conv_autoencoder', 'reconstruction', 'l1']);
      expect(names('cxr/b-vae.yaml')).toEqual(['beta_vae', 'reconstruction', 'vae_hig_loss']);
      expect(names('cxr/vae.yaml')).toEqual(['vae', 'reconstruction', 'vae_loss']);
      expect(names('cxr/aae.yaml')).toEqual(['aae', 'aae', 'l2']);
      expect(names('cxr/si-vae.yaml')).toEqual(['soft_intro_vae', 'sivae', 'l2']);
      expect(names('cxr/dae.yaml')).toEqual(['dae_unet', 'reconstruction', 'l1']);
    });

    it('keeps the values the official code would use', () => {
      const morph = loadExperimentConfigFile(path.join(officialDir, 'cxr/morphaeus.yaml')).config;
      expect(morph.model.params.inshape).toEqual([128, 128]);
      expect(morph.trainer.params).toMatchObject({ nrEpochs: 500, lr: 5e-4, alfa: 0.05, beta: 3, delta: 1, maxIter: 200, patience: 25 });
      expect(morph.trainer.dataLoader).toMatchObject({ name: 'csv', targetSize: [128, 128], batchSize: 64 });
      expect(morph.trainer.dataLoader.dataDir.train).toEqual(['./data/CXR/splits/cxr_normal_train.csv']);
      const pneumonia = morph.downstreamTasks.pneumonia;
      expect(pneumonia.name).toBe('anomaly_detection');
      expect(pneumonia.dataLoader).toMatchObject({ batchSize: 1, args: { dataset_module: 'cxr' } });
      expect(pneumonia.datasets.Pneumonia.test).toEqual(['./data/CXR/splits/cxr_opa_test.csv']);

      const dae = loadExperimentConfigFile(path.join(officialDir, 'cxr/dae.yaml')).config;
      expect(dae.trainer.params.lrScheduler).toBe('cosine');
      expect(dae.trainer.params.extra.transformer).toEqual({ name: 'gaussian_noise', params: { noise_std: 0.2, noise_res: 16 } });

      const teaser = loadExperimentConfigFile(path.join(officialDir, 'teaser/ae-s.yaml')).config;
      expect(teaser.downstreamTasks.cifar10.dataLoader.name).toBe('cifar10');
      expect(teaser.downstreamTasks.cifar10.datasets.car).toEqual({ test: [], args: { classes: ['car'] } });

      const cor = loadExperimentConfigFile(path.join(officialDir, 'cor/baseline.yaml')).config;
      expect(cor.trainer.dataLoader.targetSize).toEqual([64, 64]);
      expect(cor.trainer.dataLoader.args.dataset_module).toBe('mednist');
    });
  },
);
