import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { SelectOn } from '../../config/select-on.ts';
import { iterateBatches, sequentialOrder } from '../../data/batch-iterator.ts';
import type { ImageDataset } from '../../data/image-dataset.ts';
import { openTaskDatasets } from '../../data/downstream-dataset-loader.ts';
import { auprc, auroc, bestDice, fprAtTpr, pixelAuprc, pixelAuroc } from '../../evaluation/metrics/index.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';

/** Per image the anomaly score (mean |x_rec − x|); residual maps and masks where the dataset has masks. */
interface ScoredImages {
  scores: number[];
  residuals: Float32Array[];
  masks: Float32Array[];
}

/**
 * Scores the model on the labelled validation task `select_on` names, as the evaluation
 * does (anomaly map |x_rec − x|, score its mean, the task's Normal set against the chosen
 * dataset), without pictures or files: what the training loop asks every `select_every`
 * epochs to choose `checkpoints/best`.
 */
export class ValidationTaskScorer {
  private constructor(
    private readonly selectOn: SelectOn,
    private readonly normal: ImageDataset,
    private readonly pathological: ImageDataset,
    private readonly batchSize: number,
  ) {}

  /** The scorer of a config's `select_on`, or null when the config has none. */
  static async open(config: ExperimentConfig, dataRoot: string): Promise<ValidationTaskScorer | null> {
    const selectOn = config.trainer.params.selectOn;
    if (selectOn === null) return null;
    const task = config.downstreamTasks[selectOn.task];
    const entries = await openTaskDatasets(task, selectOn.task, dataRoot);
    const normal = entries.find((entry) => entry.label === 0)!;
    const pathological = entries.find((entry) => entry.name === selectOn.dataset)!;
    return new ValidationTaskScorer(selectOn, normal.dataset, pathological.dataset, task.dataLoader.batchSize);
  }

  /** The metric of the model as it is now (inference mode). */
  async score(model: AutoencoderModel): Promise<number> {
    const normal = await this.scoreImages(model, this.normal, false);
    const pathological = await this.scoreImages(model, this.pathological, true);
    const scores = [...normal.scores, ...pathological.scores];
    const labels = [...normal.scores.map(() => 0), ...pathological.scores.map(() => 1)];
    const { residuals, masks } = pathological;
    switch (this.selectOn.metric) {
      case 'auroc':
        return auroc(scores, labels);
      case 'auprc':
        return auprc(scores, labels);
      case 'fpr95':
        return fprAtTpr(scores, labels, 0.95).fpr;
      case 'fpr99':
        return fprAtTpr(scores, labels, 0.99).fpr;
      case 'pixel_auroc':
        return pixelAuroc(this.withMasks(residuals), masks);
      case 'pixel_auprc':
        return pixelAuprc(this.withMasks(residuals), masks);
      case 'best_dice':
        return bestDice(this.withMasks(residuals), masks).dice;
    }
  }

  private withMasks(residuals: Float32Array[]): Float32Array[] {
    if (residuals.length === 0) throw new Error(`select_on ${this.selectOn.task}/${this.selectOn.dataset}/${this.selectOn.metric}: the dataset has no masks for a pixel metric`);
    return residuals;
  }

  private async scoreImages(model: AutoencoderModel, dataset: ImageDataset, keepResiduals: boolean): Promise<ScoredImages> {
    const scored: ScoredImages = { scores: [], residuals: [], masks: [] };
    const pixels = dataset.height * dataset.width;
    for await (const batch of iterateBatches(dataset, { batchSize: Math.max(1, this.batchSize), order: sequentialOrder(dataset.size) })) {
      const residual = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [batch.count, batch.height, batch.width, 1]);
        return tf.abs(tf.sub(model.forward(x, { training: false }).xRec, x));
      });
      const values = (await residual.data()) as Float32Array;
      residual.dispose();
      for (let i = 0; i < batch.count; i += 1) {
        const map = values.slice(i * pixels, (i + 1) * pixels);
        scored.scores.push(map.reduce((sum, value) => sum + value, 0) / pixels);
        if (keepResiduals && batch.masks !== undefined) {
          scored.residuals.push(map);
          scored.masks.push(batch.masks.slice(i * pixels, (i + 1) * pixels));
        }
      }
    }
    return scored;
  }
}
