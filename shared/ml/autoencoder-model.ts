import type * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random/seeded-random.ts';

/**
 * What every model of the registry gives the trainers and the evaluator.
 * Layout is NHWC throughout (TF.js), images are [batch, height, width, channels].
 * Variables are keyed by the PyTorch state_dict name of the official implementation
 * (e.g. `encoder.conv__encode_0.weight`), so checkpoints, weight import and parity
 * tests speak the same names.
 */
export interface AutoencoderModel {
  /** Registry name, e.g. `conv_autoencoder`. */
  readonly name: string;
  /** Trainable parameters by state_dict name, in state_dict order. */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  /** Non-trainable state (BatchNorm running statistics), by state_dict name. */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  /**
   * The forward pass. `training` selects train-time behaviour where the model has any
   * (sampling, BatchNorm batch statistics in corrected mode). `xRec` is the image the
   * evaluator scores (for MorphAEus the deformed prior).
   */
  forward(x: tf.Tensor4D, options: ForwardOptions): ModelOutputs;
  /** Frees every variable. */
  dispose(): void;
}

export interface ForwardOptions {
  training: boolean;
  /**
   * Noise for models that sample a latent (the VAEs' reparameterisation). Trainers pass
   * their checkpointed step stream, so a resumed run draws the same noise. Default: the
   * model's own stream, forked from its init generator when it was built.
   */
  random?: SeededRandom;
}

export interface ModelOutputs {
  /** The reconstruction scored by the evaluator, NHWC. */
  xRec: tf.Tensor4D;
  /** The latent code the model returns, if any. */
  z?: tf.Tensor;
  /** Named extra outputs (e.g. MorphAEus `x_prior`, `v`; VAEs `z_mu`, `z_logvar`). */
  extras: Record<string, tf.Tensor>;
}
