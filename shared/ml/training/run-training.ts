import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../config/config-error.ts';
import { iterateBatches, sequentialOrder } from '../../data/batch-iterator.ts';
import type { ImageBatch, ImageDataset } from '../../data/image-dataset.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { ensureGradientsRegistered } from '../backend/register-gradients.ts';
import { buildLrScheduler } from '../optim/lr-scheduler-registry.ts';
import { SeededRandom } from '../../random/seeded-random.ts';
import { readCheckpointFolder, restoreCheckpointFolder } from '../weights/checkpoint-folder.ts';
import { discardCheckpointsAfter, loadCheckpoint, restoreInto, saveCheckpoint, type CheckpointLabel } from './checkpoint.ts';
import { CheckpointSelection } from './checkpoint-selection.ts';
import { EarlyStopping } from './early-stopping.ts';
import type { BestSoFar, EpochRecord } from './epoch-record.ts';
import { appendEpochRecord, truncateMetricsBefore } from './metrics-log.ts';
import type { StopRequest, TrainRunOptions, TrainRunResult } from './train-run-options.ts';
import { trainingConfigHash } from './training-config-hash.ts';
import { TrainingDivergedError } from './training-diverged-error.ts';
import type { EpochProgress, TrainingPosition, TrainingState } from './training-state.ts';
import { buildTrainer } from './trainer-registry.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';
import type { ValidationTaskScorer } from './validation-task-scorer.ts';

/** The model and data a run trains on; `trainRun` builds them from the config. */
export interface TrainingComponents {
  /** Builds the model, drawing its initial weights from `random`. */
  buildModel(random: SeededRandom): AutoencoderModel;
  train: ImageDataset;
  val: ImageDataset;
  /** The labelled validation task of `select_on`; required when the config sets it. */
  validationTask?: ValidationTaskScorer | null;
}

/**
 * The training loop of every trainer (official core/Trainer.py `train`), with resume:
 *
 * - Random streams, all forked from the config's seed: `init` (weights), `shuffle` (one
 *   permutation per epoch, drawn at its start), `step` (trainer noise and sampling).
 * - If `latest` exists the run continues from it (weights, optimizers, position within the
 *   epoch, schedule, early stopping, best, random streams, partial epoch sums), never from
 *   scratch; metrics.jsonl loses the records of epochs that are trained again.
 * - Per epoch: shuffled training batches with incomplete ones dropped; validation over
 *   the whole val split in order; the lr schedule and early stopping step on the
 *   validation loss, as in the official validation; one metrics record appended; `best`
 *   written when the selection improved (the validation loss, or with `select_on` the
 *   validation task's metric, scored every `select_every` epochs); `latest` written. Early stopping ends
 *   the run before the next epoch, as officially.
 * - Stop requests are honoured between batches (training and validation).
 */
export async function runTraining(options: TrainRunOptions, components: TrainingComponents): Promise<TrainRunResult> {
  const { config } = options;
  const batchSize = config.trainer.dataLoader.batchSize;
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const { train, val } = components;
  const batchesPerEpoch = Math.floor(train.size / batchSize);
  if (batchesPerEpoch === 0) {
    throw new ConfigError('experiment config', {
      key: 'trainer.data_loader.params.args.batch_size',
      message: `the training split ${train.source} has ${train.size} images, fewer than one batch of ${batchSize}; incomplete batches are dropped (as officially), so nothing would train`,
    });
  }
  if (val.size === 0) throw new Error(`the validation split ${val.source} is empty; training needs it to select the best model`);
  await ensureGradientsRegistered();

  const root = new SeededRandom(config.seed);
  const model = components.buildModel(root.fork('init'));
  let trainer: TrainerStrategy | undefined;
  try {
    trainer = buildTrainer(model, config);
    const loop = new TrainingLoop(options, components, model, trainer, root, batchesPerEpoch, warn);
    return await loop.run();
  } finally {
    trainer?.dispose();
    model.dispose();
  }
}

class TrainingLoop {
  private readonly scheduler;
  private readonly earlyStopping;
  private readonly configHash;
  private readonly checkpointSelection;
  private shuffleRandom: SeededRandom;
  private stepRandom: SeededRandom;
  private best: BestSoFar | null = null;
  private position: TrainingPosition = { epoch: 0, batch: 0 };
  private progress: EpochProgress | null = null;
  private resumedFrom: TrainingPosition | null = null;
  private lastRecord: EpochRecord | null = null;

  constructor(
    private readonly options: TrainRunOptions,
    private readonly components: TrainingComponents,
    private readonly model: AutoencoderModel,
    private readonly trainer: TrainerStrategy,
    root: SeededRandom,
    private readonly batchesPerEpoch: number,
    private readonly warn: (message: string) => void,
  ) {
    const params = options.config.trainer.params;
    this.scheduler = buildLrScheduler(params.lrScheduler, params.lr);
    this.earlyStopping = new EarlyStopping({ patience: params.patience });
    this.configHash = trainingConfigHash(options.config);
    this.checkpointSelection = new CheckpointSelection(params, components.validationTask ?? null);
    this.shuffleRandom = root.fork('shuffle');
    this.stepRandom = root.fork('step');
  }

  async run(): Promise<TrainRunResult> {
    await this.resume();
    const totalEpochs = this.options.config.trainer.params.nrEpochs;
    const batchSize = this.options.config.trainer.dataLoader.batchSize;
    const { train } = this.components;

    while (this.position.epoch < totalEpochs) {
      if (this.earlyStopping.shouldStop) return this.result('early_stopped');
      const epoch = this.position.epoch;
      const shuffleAtEpochStart = this.shuffleRandom.state();
      const order = this.shuffleRandom.shuffle(Array.from({ length: train.size }, (_, index) => index));
      this.trainer.beginEpoch?.(epoch);

      const partial = this.progress;
      const lossSums: Record<string, number> = { ...partial?.lossSums };
      let images = partial?.images ?? 0;
      let trainSeconds = partial?.trainSeconds ?? 0;
      const startedAt = performance.now() - (partial?.elapsedSeconds ?? 0) * 1000;
      let stepsSinceSave = 0;
      const snapshotProgress = (): EpochProgress => ({
        lossSums: { ...lossSums },
        images,
        trainSeconds,
        elapsedSeconds: (performance.now() - startedAt) / 1000,
      });
      const stopHere = async (request: StopRequest, batch: number): Promise<TrainRunResult> => {
        if (request === 'preempt' && stepsSinceSave > 0) {
          await this.options.beforeWrite?.();
          this.position = { epoch, batch };
          this.progress = snapshotProgress();
          await this.save('latest', shuffleAtEpochStart);
        }
        return this.result(request === 'cancel' ? 'cancelled' : 'preempted');
      };

      let batchIndex = this.position.batch;
      const batches = iterateBatches(train, { batchSize, order: order.slice(batchIndex * batchSize), dropLast: true });
      for await (const batch of batches) {
        await yieldToEventLoop();
        const request = this.options.stopRequested();
        if (request !== null) return stopHere(request, batchIndex);
        const stepStarted = performance.now();
        const losses = await this.trainStep(batch, epoch);
        trainSeconds += (performance.now() - stepStarted) / 1000;
        images += batch.count;
        stepsSinceSave += 1;
        if (!Number.isFinite(losses.loss)) throw new TrainingDivergedError(epoch, `training loss is ${losses.loss} at batch ${batchIndex}`);
        for (const [name, value] of Object.entries(losses)) lossSums[name] = (lossSums[name] ?? 0) + value * batch.count;
        await this.options.onBatchEnd?.({
          epoch,
          batch: batchIndex,
          batchesPerEpoch: this.batchesPerEpoch,
          loss: losses.loss,
          imagesPerSecond: images / Math.max(trainSeconds, 1e-9),
        });
        batchIndex += 1;
      }
      const beforeValidation = this.options.stopRequested();
      if (beforeValidation !== null) return stopHere(beforeValidation, batchIndex);

      const validation = await this.validate();
      if (validation.stopped !== null) return stopHere(validation.stopped, this.batchesPerEpoch);
      const metrics = validation.metrics;
      const { improved, lrUsed } = await this.judgeEpoch(epoch, totalEpochs, metrics);

      const trainMeans = Object.fromEntries(Object.entries(lossSums).map(([name, sum]) => [name, sum / images]));
      const record: EpochRecord = {
        epoch,
        train: { ...trainMeans, loss: trainMeans.loss },
        val: metrics,
        lr: lrUsed,
        time_s: (performance.now() - startedAt) / 1000,
        images_per_s: images / Math.max(trainSeconds, 1e-9),
      };
      await this.recordEpoch(record, totalEpochs, improved);
    }
    return this.result('completed');
  }

  private async trainStep(batch: ImageBatch, epoch: number): Promise<StepLosses> {
    const x = toTensor(batch);
    try {
      return await this.trainer.trainStep(x, { epoch, random: this.stepRandom });
    } finally {
      x.dispose();
    }
  }

  /**
   * Scores the epoch on the trainer's selection metric (plus the checkpoint selection's
   * candidate, written into `metrics`), keeps the best, and steps the schedule and early
   * stopping. Returns whether it improved and the learning rate the epoch trained at.
   */
  private async judgeEpoch(epoch: number, totalEpochs: number, metrics: Record<string, number>): Promise<{ improved: boolean; lrUsed: number }> {
    const metricName = this.trainer.selectionMetric;
    const selection = metrics[metricName];
    if (selection === undefined) throw new Error(`trainer ${this.trainer.name} reports no validation metric "${metricName}"`);
    if (!Number.isFinite(selection)) throw new TrainingDivergedError(epoch, `validation ${metricName} is ${selection}`);
    const candidate = await this.checkpointSelection.candidate(epoch, totalEpochs, this.model, { metric: `val.${metricName}`, value: selection });
    if (candidate !== null) metrics[candidate.metric.slice('val.'.length)] = candidate.value;

    // A trainer may set its own rate at the start of an epoch (the AAE's ÷4 every 90 epochs).
    const lrUsed = this.trainer.optimizers.values().next().value?.learningRate ?? this.scheduler.lr;
    const improved = candidate !== null && this.checkpointSelection.improves(candidate.value, this.best);
    if (improved) this.best = { epoch, ...candidate };
    this.setLearningRate(this.scheduler.step(selection));
    if (improved || this.trainer.earlyStoppingSees !== 'on_improvement') this.earlyStopping.step(selection);
    return { improved, lrUsed };
  }

  /**
   * Record first, checkpoint second: a crash in between re-trains the epoch, and the
   * resume drops the record, so no epoch is ever listed twice or missing.
   */
  private async recordEpoch(record: EpochRecord, totalEpochs: number, improved: boolean): Promise<void> {
    const { epoch } = record;
    await this.options.beforeWrite?.();
    await appendEpochRecord(this.options.store, this.options.runId, record);
    this.position = { epoch: epoch + 1, batch: 0 };
    this.progress = null;
    const shuffleAtNextEpoch = this.shuffleRandom.state();
    if (improved) await this.save('best', shuffleAtNextEpoch);
    await this.save('latest', shuffleAtNextEpoch);
    this.lastRecord = record;
    await this.options.onEpochEnd?.(record, { epoch, totalEpochs, best: this.best });
  }

  private async resume(): Promise<void> {
    const { store, runId } = this.options;
    const checkpoint = await loadCheckpoint(store, runId, 'latest');
    if (checkpoint !== null) {
      for (const rejected of checkpoint.rejected) this.warn(`${rejected.message}; falling back to the previous checkpoint`);
      if (checkpoint.state.configHash !== this.configHash) {
        throw new ConfigError('experiment config', {
          key: '',
          message: `run ${runId} has a checkpoint (${checkpoint.folder}) trained with different settings (training config hash ${checkpoint.state.configHash.slice(0, 12)}…, now ${this.configHash.slice(0, 12)}…); resume with the run's own config, or start a new run`,
        });
      }
      restoreInto(this.model, this.trainer.optimizers, checkpoint);
      const state = checkpoint.state.training;
      this.scheduler.restore(state.scheduler);
      this.earlyStopping.restore(state.earlyStopping);
      this.trainer.restore(state.trainer);
      this.best = state.best;
      this.shuffleRandom = SeededRandom.fromState(state.random.shuffle);
      this.stepRandom = SeededRandom.fromState(state.random.step);
      this.position = { ...checkpoint.state.position };
      this.progress = state.epochProgress;
      this.resumedFrom = { ...checkpoint.state.position };
    } else if (this.options.config.experiment.weights !== null) {
      await this.startFromWeights(this.options.config.experiment.weights);
    }
    await this.options.beforeWrite?.();
    await discardCheckpointsAfter(store, runId, this.position);
    const dropped = await truncateMetricsBefore(store, runId, this.position.epoch);
    if (dropped > 0) this.warn(`runs/${runId}/metrics.jsonl: dropped ${dropped} record(s) of epochs from ${this.position.epoch} on, which are trained again`);
    this.setLearningRate(this.scheduler.lr);
    if (this.resumedFrom !== null) await this.options.onResume?.(this.resumedFrom);
  }

  /**
   * A new run whose config names `experiment.weights` starts from that checkpoint folder
   * (one written by `aelab import-weights`, or a run's checkpoint version): weights only,
   * at epoch 0 with a fresh optimizer. A resumed run ignores it: its own checkpoint wins.
   */
  private async startFromWeights(path: string): Promise<void> {
    try {
      restoreCheckpointFolder(this.model, await readCheckpointFolder(resolve(path)));
    } catch (error) {
      throw new ConfigError('experiment config', {
        key: 'experiment.weights',
        message: `cannot start from ${path}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  private async validate(): Promise<{ metrics: Record<string, number>; stopped: StopRequest | null }> {
    const { val } = this.components;
    const batchSize = this.options.config.trainer.dataLoader.batchSize;
    const sums: Record<string, number> = {};
    let count = 0;
    for await (const batch of iterateBatches(val, { batchSize, order: sequentialOrder(val.size) })) {
      await yieldToEventLoop();
      const request = this.options.stopRequested();
      if (request !== null) return { metrics: {}, stopped: request };
      const x = toTensor(batch);
      try {
        for (const [name, value] of Object.entries(await this.trainer.validateBatch(x))) sums[name] = (sums[name] ?? 0) + value * batch.count;
      } finally {
        x.dispose();
      }
      count += batch.count;
    }
    return { metrics: Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / count])), stopped: null };
  }

  private async save(label: CheckpointLabel, shuffleAtEpochStart: number[]): Promise<void> {
    const training: TrainingState = {
      best: this.best,
      earlyStopping: this.earlyStopping.state(),
      scheduler: this.scheduler.state(),
      random: { shuffle: shuffleAtEpochStart, step: this.stepRandom.state() },
      epochProgress: this.progress,
      trainer: this.trainer.state(),
    };
    const payload = { position: this.position, model: this.model, optimizers: this.trainer.optimizers, training, configHash: this.configHash };
    await saveCheckpoint(this.options.store, this.options.runId, label, payload, this.options.config.trainer.params.keepCheckpoints);
  }

  private setLearningRate(lr: number): void {
    for (const optimizer of this.trainer.optimizers.values()) optimizer.learningRate = lr;
  }

  private result(status: TrainRunResult['status']): TrainRunResult {
    return {
      status,
      epochsCompleted: this.position.epoch,
      best: this.best,
      lastRecord: this.lastRecord,
      resumedFrom: this.resumedFrom,
    };
  }
}

function toTensor(batch: ImageBatch): tf.Tensor4D {
  return tf.tensor4d(batch.images, [batch.count, batch.height, batch.width, 1]);
}

/**
 * A batch's work is synchronous and the batch iterator may resolve at once, so without
 * this the process would not read its IPC messages (a stop request) until the epoch's
 * file writes: one event-loop turn per batch lets a stop take effect after the batch.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
