import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../shared/config/parse-yaml.ts';
import { resolveExperimentConfig } from '../../../shared/config/resolve-experiment-config.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

const MINIMAL = `name: tiny
model:
  name: conv_autoencoder
  params:
    channels: [8, 16]
trainer:
  name: reconstruction
  params:
    loss:
      name: l2
    optimizer_params:
      lr: 1.0e-3
  data_loader:
    name: phantoms
    params:
      args:
        target_size: [32, 32]
        train_count: 8
`;

function resolveText(text: string, source = 'configs/x.yaml') {
  const { value, lines } = parseYaml(text, source);
  return resolveExperimentConfig(value, source, lines);
}

describe('resolveExperimentConfig', () => {
  it('reads requires as a sorted set of labels and priority as high, normal or low', () => {
    const config = resolveText(`requires: [gpu, 80gb, gpu]\npriority: high\n${MINIMAL}`);
    expect(config.requires).toEqual(['80gb', 'gpu']);
    expect(config.priority).toBe('high');
    const badLabel = configErrorOf(() => resolveText(`requires: [gpu, "A100 GPU"]\n${MINIMAL}`));
    expect(badLabel.message).toMatch(/^configs\/x\.yaml:1:\d+: requires\[1\]: expected a label .*got "A100 GPU"$/);
    const badPriority = configErrorOf(() => resolveText(`priority: urgent\n${MINIMAL}`));
    expect(badPriority.message).toMatch(/^configs\/x\.yaml:1:\d+: priority: .*"high"/);
  });

  it('fills the documented defaults', () => {
    const config = resolveText(MINIMAL);
    expect(config).toEqual({
      name: 'tiny',
      experiment: { name: 'tiny', task: 'train', weights: null },
      seed: 2109,
      mode: 'reference',
      requires: [],
      priority: 'normal',
      model: { name: 'conv_autoencoder', params: { channels: [8, 16] } },
      trainer: {
        name: 'reconstruction',
        params: {
          nrEpochs: 500,
          lr: 1e-3,
          patience: 25,
          alfa: 0,
          beta: 3,
          delta: 1,
          maxIter: 500,
          lrScheduler: 'none',
          loss: { name: 'l2', params: {} },
          selectOn: null,
          selectEvery: 1,
          keepCheckpoints: 1,
          extra: {},
        },
        dataLoader: {
          name: 'phantoms',
          dataDir: { train: [], val: [], test: [] },
          targetSize: [32, 32],
          batchSize: 8,
          args: { train_count: 8 },
        },
      },
      downstreamTasks: {},
    });
  });

  it('names file, line and key of a value of the wrong type', () => {
    const error = configErrorOf(() => resolveText(MINIMAL.replace('lr: 1.0e-3', 'lr: abc')));
    expect(error.message).toBe('configs/x.yaml:12:7: trainer.params.optimizer_params.lr: expected a number, got "abc"');
    expect(error).toMatchObject({ source: 'configs/x.yaml', key: 'trainer.params.optimizer_params.lr', line: 12, column: 7 });
  });

  it('reports a missing required key at its parent', () => {
    const error = configErrorOf(() => resolveText(MINIMAL.replace('      lr: 1.0e-3\n', '      beta1: 0.9\n')));
    expect(error.message).toBe('configs/x.yaml:11:5: trainer.params.optimizer_params.lr: missing; expected a number');
  });

  it('lists every problem, one line each, in file order', () => {
    const text = MINIMAL.replace('name: tiny', 'name: tiny\nmode: fast').replace('[32, 32]', '[32]').replace('train_count: 8', 'batch_size: 0');
    expect(configErrorOf(() => resolveText(text)).message.split('\n')).toEqual([
      'configs/x.yaml:2:1: mode: expected one of "reference", "corrected", got "fast"',
      'configs/x.yaml:18:9: trainer.data_loader.params.args.target_size: expected [height, width]: a list of two positive integers',
      'configs/x.yaml:19:9: trainer.data_loader.params.args.batch_size: must be greater than 0, got 0',
    ]);
  });

  it('lists the known models for an unknown one', () => {
    const error = configErrorOf(() => resolveText(MINIMAL.replace('name: conv_autoencoder', 'name: resnet')));
    expect(error.line).toBe(3);
    expect(error.key).toBe('model.name');
    expect(error.message).toContain('unknown model "resnet"; known: conv_autoencoder, dense_conv_autoencoder, morphaeus, vae, beta_vae, aae, dae_unet, soft_intro_vae');
    expect(error.message).toContain('model_zoo.convolutional_autoencoders.ConvAutoEncoder (= conv_autoencoder)');
  });

  it('accepts official module/class pairs, including the data.cxr_loader defect', () => {
    const official = `${MINIMAL.replace('name: conv_autoencoder', 'module_name: model_zoo.morphaeus\n  class_name: MorphAEus')}downstream_tasks:
  pneumonia:
    module_name: projects.23_morphaeus.DownstreamEvaluator
    class_name: PDownstreamEvaluator
    data_loader:
      module_name: core.DataLoader
      class_name: DefaultDataLoader
      params:
        args:
          dataset_module:
            module_name: data.cxr_loader
            class_name: CXRDataset
          batch_size: 1
      datasets:
        Normal_RSNA:
          data_dir:
            test: [normal.csv]
        Pneumonia:
          data_dir:
            test: opa.csv
`;
    const config = resolveText(official);
    expect(config.model.name).toBe('morphaeus');
    expect(config.downstreamTasks.pneumonia).toEqual({
      name: 'anomaly_detection',
      dataLoader: { name: 'csv', dataDir: { train: [], val: [], test: [] }, targetSize: [32, 32], batchSize: 1, args: { dataset_module: 'cxr' } },
      datasets: { Normal_RSNA: { test: ['normal.csv'], args: {} }, Pneumonia: { test: ['opa.csv'], args: {} } },
    });
  });

  it('refuses an unknown official class and contradicting names', () => {
    const unknown = MINIMAL.replace('name: l2', 'module_name: optim.losses.ln_losses\n      class_name: L3');
    expect(configErrorOf(() => resolveText(unknown)).message).toMatch(
      /^configs\/x\.yaml:11:7: trainer\.params\.loss\.class_name: unknown loss optim\.losses\.ln_losses\.L3; known: l1, l2, vae_loss, vae_hig_loss;/,
    );
    const both = MINIMAL.replace('name: l2', 'name: l1\n      module_name: optim.losses.ln_losses\n      class_name: L2');
    expect(configErrorOf(() => resolveText(both)).message).toBe(
      'configs/x.yaml:10:7: trainer.params.loss.name: name "l1" contradicts optim.losses.ln_losses.L2, which is "l2"; write one of the two',
    );
  });

  it('requires the split CSVs of a csv dataset', () => {
    const csv = MINIMAL.replace('name: phantoms', 'name: csv').replace('train_count: 8', 'data_dir: {train: [t.csv]}');
    expect(configErrorOf(() => resolveText(csv)).message).toBe(
      'configs/x.yaml:18:9: trainer.data_loader.params.args.data_dir.val: missing; the csv dataset needs at least one val CSV',
    );
  });

  it('keeps unknown trainer keys as extra and works without line information', () => {
    const { value } = parseYaml(MINIMAL.replace('    loss:', '    checkpoint_path: ./w/\n    loss:'), 'a');
    const config = resolveExperimentConfig(value, 'request body');
    expect(config.trainer.params.extra).toEqual({ checkpoint_path: './w/' });
    const error = configErrorOf(() => resolveExperimentConfig({ ...(value as object), seed: -1 }, 'request body'));
    expect(error.message).toBe('request body: seed: must be at least 0, got -1');
  });
});
