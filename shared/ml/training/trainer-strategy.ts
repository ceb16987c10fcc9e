import type * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import type { Adam } from '../optim/adam.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';

/** What a training step may use besides the batch. */
export interface TrainerStepContext {
  /** 0-based epoch. */
  epoch: number;
  /** The stream for noise and sampling in training steps; checkpoints save its state. */
  random: SeededRandom;
}

/** Batch-mean losses of one step; `loss` is the optimised total. */
export type StepLosses = { loss: number } & Record<string, number>;

/**
 * How one official trainer trains and validates (core/Trainer.py, MorphTrainer, AAETrainer,
 * SIVAETrainer): one file per trainer, the loop in `run-training.ts` knows only this.
 * Every method must leave no tensors behind.
 */
export interface TrainerStrategy {
  /** Registry name, as `trainer.name` in the config. */
  readonly name: string;
  /**
   * The key of `validateBatch`'s result that selects `best`, drives early stopping and
   * steps the lr schedule (official §11.6: `loss_prec` for Trainer.py, `loss_mse` for MorphTrainer).
   */
  readonly selectionMetric: string;
  /** The optimizers by name; checkpoints save them, the lr schedule sets their rate. */
  readonly optimizers: ReadonlyMap<string, Adam>;
  /**
   * Which epochs early stopping counts: `every_epoch` (default; core/Trainer.py) or
   * `on_improvement`, the official AAETrainer, which calls it only after an epoch that
   * improved the best validation result, so its counter keeps resetting.
   */
  readonly earlyStoppingSees?: 'every_epoch' | 'on_improvement';
  /** Called before each epoch's first batch, also when a run resumes mid-epoch (for per-epoch schedules such as β ramps). */
  beginEpoch?(epoch: number): void;
  /**
   * One optimisation step on a batch of clean images (NHWC). Asynchronous, as every read
   * of a tensor's values: GPU backends (webgpu) only download asynchronously.
   */
  trainStep(batch: tf.Tensor4D, context: TrainerStepContext): Promise<StepLosses>;
  /** Batch-mean validation metrics, without gradients and with the model in inference mode. */
  validateBatch(batch: tf.Tensor4D): Promise<Record<string, number>>;
  /** JSON state besides the optimizers (e.g. a loss's call counter); null when there is none. */
  state(): unknown;
  restore(state: unknown): void;
  dispose(): void;
}

/** Builds a trainer for a model and the run's config. */
export type TrainerFactory = (model: AutoencoderModel, config: ExperimentConfig) => TrainerStrategy;
