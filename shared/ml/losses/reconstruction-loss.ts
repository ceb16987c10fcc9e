import type * as tf from '@tensorflow/tfjs-core';
import type { ModelOutputs } from '../autoencoder-model.ts';

/** How the trainer calls a criterion. */
export interface LossCallOptions {
  /** False for validation (and test) batches; default true. Stateful losses may count only training calls. */
  training: boolean;
}

/**
 * A reconstruction criterion, as the official `criterion_rec(x_rec, x, latent)`: it
 * compares a reconstruction with its clean target and returns one scalar. `outputs` is
 * the model's whole output, for criteria that also read the latent code (VAE losses);
 * L1 and L2 ignore it, as the official ones ignore their third argument.
 */
export type ReconstructionLoss = (
  prediction: tf.Tensor4D,
  target: tf.Tensor4D,
  outputs?: ModelOutputs,
  call?: LossCallOptions,
) => tf.Scalar;
