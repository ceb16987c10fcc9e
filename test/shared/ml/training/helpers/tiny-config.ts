import type { ExperimentConfig } from '../../../../../shared/config/experiment-config.ts';

export interface TinyConfigOptions {
  /** Default 3. */
  nrEpochs?: number;
  /** Default 1e-2. */
  lr?: number;
  /** Default 4. */
  batchSize?: number;
  /** Default 25. */
  patience?: number;
  /** Default `none`. */
  lrScheduler?: string;
  /** Default `l2`. */
  loss?: string;
  /** Default 8 (height = width). */
  size?: number;
  /** Default 2109. */
  seed?: number;
  /** Default `conv_autoencoder` with the smoke-test shape. */
  model?: ExperimentConfig['model'];
  /** Default phantoms. */
  data?: { name: string; args: Record<string, unknown> };
}

/** Seeded phantoms with `trainCount` training and `valCount` validation images and no test split. */
export function phantomData(trainCount: number, valCount: number): NonNullable<TinyConfigOptions['data']> {
  return { name: 'phantoms', args: { train_count: trainCount, val_count: valCount, test_count: 0, seed: 7 } };
}

/** A complete ExperimentConfig for a `reconstruction` run on tiny images. */
export function tinyConfig(options: TinyConfigOptions = {}): ExperimentConfig {
  const size = options.size ?? 8;
  return {
    name: 'tiny',
    experiment: { name: 'tests', task: 'train', weights: null },
    seed: options.seed ?? 2109,
    mode: 'reference',
    requires: [],
    priority: 'normal',
    model: options.model ?? {
      name: 'conv_autoencoder',
      params: { in_channels: 1, channels: [8, 16, 16], strides: [2, 2, 2], out_ch: 1, kernel_size: 3, norm: 'batch', act: 'swish', deconv_mode: 'stride' },
    },
    trainer: {
      name: 'reconstruction',
      params: {
        nrEpochs: options.nrEpochs ?? 3,
        lr: options.lr ?? 1e-2,
        patience: options.patience ?? 25,
        alfa: 0,
        beta: 3,
        delta: 1,
        maxIter: 200,
        lrScheduler: options.lrScheduler ?? 'none',
        loss: { name: options.loss ?? 'l2', params: {} },
        selectOn: null,
        selectEvery: 1,
        keepCheckpoints: 1,
        extra: {},
      },
      dataLoader: {
        name: options.data?.name ?? 'phantoms',
        dataDir: { train: [], val: [], test: [] },
        targetSize: [size, size],
        batchSize: options.batchSize ?? 4,
        args: options.data?.args ?? { train_count: 24, val_count: 8, test_count: 4, seed: 7 },
      },
    },
    downstreamTasks: {},
  };
}
