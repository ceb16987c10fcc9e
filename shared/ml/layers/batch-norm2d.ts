import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from './parameter-store.ts';
import { frozenBatchNorm, frozenBatchNormAvailable } from './frozen-batch-norm-kernels.ts';
import { filled } from './pytorch-init.ts';

/**
 * - `frozen`: the official code's behaviour (docs/models.md §11.4): the model trains in
 *   eval mode, so BatchNorm always normalises with its running statistics and never
 *   updates them. With the default statistics (mean 0, variance 1) it is a per-channel
 *   affine map.
 * - `train`: PyTorch's train-mode BatchNorm: batch statistics while training (biased
 *   variance for normalising), running statistics updated with momentum 0.1 and the
 *   unbiased batch variance, running statistics at evaluation.
 */
export type BatchNormMode = 'frozen' | 'train';

export interface BatchNorm2dOptions {
  numFeatures: number;
  mode: BatchNormMode;
  /** Default 1e-5 (PyTorch; TF.js defaults to 1e-3). */
  eps?: number;
  /** PyTorch convention: running = (1 − momentum)·running + momentum·batch; default 0.1. */
  momentum?: number;
}

/**
 * PyTorch `nn.BatchNorm2d(affine=True)` on NHWC tensors. Variables in state_dict order:
 * `<name>.weight`, `<name>.bias` (trainable), `<name>.running_mean`,
 * `<name>.running_var`, `<name>.num_batches_tracked` (int32 here, int64 in PyTorch).
 */
export class BatchNorm2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTracked: tf.Variable;
  private readonly name: string;
  private readonly mode: BatchNormMode;
  private readonly eps: number;
  private readonly momentum: number;

  constructor(store: ParameterStore, name: string, options: BatchNorm2dOptions) {
    const c = options.numFeatures;
    this.name = name;
    this.mode = options.mode;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.weight = store.addParameter(`${name}.weight`, 'same', [c], filled(c, 1));
    this.bias = store.addParameter(`${name}.bias`, 'same', [c], filled(c, 0));
    this.runningMean = store.addBuffer(`${name}.running_mean`, 'same', [c], filled(c, 0));
    this.runningVar = store.addBuffer(`${name}.running_var`, 'same', [c], filled(c, 1));
    this.numBatchesTracked = store.addBuffer(`${name}.num_batches_tracked`, 'same', [], new Int32Array(1));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (this.mode === 'train' && training) return this.applyWithBatchStatistics(x);
    return tf.tidy(() => this.normalizeWithRunningStatistics(x));
  }

  /** Through the fused kernels of frozen-batch-norm-kernels.ts where the backend has them (cpu; see fused-kernels.ts). */
  private normalizeWithRunningStatistics(x: tf.Tensor4D): tf.Tensor4D {
    if (!frozenBatchNormAvailable()) return this.normalize(x, this.runningMean, this.runningVar);
    const inverseStd = tf.rsqrt(tf.add(this.runningVar, this.eps)) as tf.Tensor1D;
    return frozenBatchNorm(x, this.runningMean as tf.Tensor1D, inverseStd, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D);
  }

  /**
   * The normalisation as a per-channel affine map, scale = weight/√(var + eps) and
   * shift = bias + (convBias − mean)·scale, with `convBias` (the preceding conv's bias, when
   * folded in) taken as 0 when absent; undefined when this call normalises with batch
   * statistics. Gradients reach weight, bias and convBias through the [C] ops.
   */
  runningAffine(training: boolean, convBias: tf.Tensor1D | undefined): { scale: tf.Tensor1D; shift: tf.Tensor1D } | undefined {
    if (this.mode === 'train' && training) return undefined;
    const scale = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, this.eps))) as tf.Tensor1D;
    const centred = convBias ? tf.sub(convBias, this.runningMean) : tf.neg(this.runningMean);
    return { scale, shift: tf.add(this.bias, tf.mul(centred, scale)) as tf.Tensor1D };
  }

  private normalize(x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor4D {
    const inverseStd = tf.rsqrt(tf.add(variance, this.eps));
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), inverseStd), this.weight), this.bias);
  }

  private applyWithBatchStatistics(x: tf.Tensor4D): tf.Tensor4D {
    const [batch, height, width] = x.shape;
    const n = batch * height * width;
    if (n < 2) {
      throw new Error(
        `BatchNorm2d ${this.name}: training with batch statistics needs more than 1 value per channel ` +
          `(input ${x.shape.join('×')}); use a larger batch or batchnorm: frozen`,
      );
    }
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const y = this.normalize(x, mean, variance);
      const m = this.momentum;
      const unbiased = tf.mul(variance, n / (n - 1));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
      return y;
    });
  }
}
