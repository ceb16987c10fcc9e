/**
 * The canonical, validated form of an experiment config. Users write YAML in the
 * structure of the official MorphAEus configs (see `configs/`); `resolveExperimentConfig`
 * turns that raw object into this shape. Everything downstream (worker, trainer, models,
 * data) reads only this shape.
 */
import type { JobPriority } from '../contracts/job-priority.ts';

import type { SelectOn } from './select-on.ts';

/** A registered component (model, loss, trainer, dataset) and its parameters. */
export interface ComponentRef {
  /** Registry name, e.g. `conv_autoencoder`; official module_name/class_name pairs map here. */
  name: string;
  /** Constructor parameters as written in the config (the component validates them). */
  params: Record<string, unknown>;
}

export interface DataSplits {
  train: string[];
  val: string[];
  test: string[];
}

export interface DataLoaderConfig {
  /** Registry name of the dataset: `csv` (split CSVs of image paths) or `phantoms`. */
  name: string;
  /** Split CSVs (csv datasets only); several CSVs per split are concatenated. */
  dataDir: DataSplits;
  /** Images are resized to this (height, width). */
  targetSize: [number, number];
  /** Default 8, as in the official DefaultDataLoader. */
  batchSize: number;
  /** Every other key of `params.args` (e.g. phantoms: `train_count`, `seed`). */
  args: Record<string, unknown>;
}

export interface TrainerParams {
  /** Default 500 when absent. */
  nrEpochs: number;
  /** `optimizer_params.lr`; required, as in the official configurator. */
  lr: number;
  /** Early-stopping patience in epochs; default 25 (official). */
  patience: number;
  /** Weight of the perceptual loss; default 0. */
  alfa: number;
  /** Maximum of the MorphAEus beta ramp; default 3. */
  beta: number;
  /** Weight of the morph loss; default 1. */
  delta: number;
  /** Epochs over which beta ramps to its maximum; default 500, the official MorphTrainer fallback (cxr/morphaeus.yaml sets 200). */
  maxIter: number;
  /** `plateau | cosine | exponential | none`; default none. */
  lrScheduler: string;
  /** The reconstruction loss. */
  loss: ComponentRef;
  /** A validation task's metric that chooses `checkpoints/best`; null (default): the trainer's validation loss. */
  selectOn: SelectOn | null;
  /** Epochs between two scorings of `selectOn` (the last epoch is always scored); default 1. */
  selectEvery: number;
  /** Checkpoint versions kept besides the ones `latest` and `best` point at; default 1. */
  keepCheckpoints: number;
  /** Any other key under trainer.params, kept as written (trainer-specific options). */
  extra: Record<string, unknown>;
}

export interface TrainerConfig {
  /** Registry name: `reconstruction` (official Trainer), `morph`, `aae`, `sivae`. */
  name: string;
  params: TrainerParams;
  dataLoader: DataLoaderConfig;
}

export interface DownstreamTaskConfig {
  /** Registry name of the evaluator, e.g. `anomaly_detection`. */
  name: string;
  dataLoader: DataLoaderConfig;
  /** Dataset name -> its test CSVs (or dataset args for generated data). */
  datasets: Record<string, { test: string[]; args: Record<string, unknown> }>;
}

export interface ExperimentConfig {
  /** Run display name (`name:` at the top of the YAML). */
  name: string;
  experiment: {
    name: string;
    task: 'train' | 'test';
    /** Checkpoint to start from, or null to train from scratch. */
    weights: string | null;
  };
  /** Seed of every random choice of the run (init, shuffling, sampling); default 2109, the official seed. */
  seed: number;
  /** `reference` reproduces the official code's quirks; default reference. */
  mode: 'reference' | 'corrected';
  /** Labels a worker must have to take this run (`requires: [gpu]`); default none. */
  requires: string[];
  /** Which waiting run a free worker takes first; default normal. */
  priority: JobPriority;
  model: ComponentRef;
  trainer: TrainerConfig;
  downstreamTasks: Record<string, DownstreamTaskConfig>;
}
