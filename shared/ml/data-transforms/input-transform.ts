import type * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../../random/seeded-random.ts';

/**
 * A corruption a trainer applies to its training input (official `trainer.params.transformer`,
 * docs/models.md §11.7); the loss still compares against the clean batch, and validation
 * and evaluation see clean images.
 */
export interface InputTransform {
  /** Registry name, e.g. `gaussian_noise`. */
  readonly name: string;
  /** The corrupted NHWC batch; every random draw comes from `random`, so a run resumes exactly. */
  apply(x: tf.Tensor4D, random: SeededRandom): tf.Tensor4D;
}
