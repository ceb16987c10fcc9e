import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';

/**
 * A test model for sweeps and the sweep-overhead benchmark: it learns nothing, and its
 * trainer (`synthetic`) reports `syntheticObjective` of its hyperparameters per epoch,
 * so a search's result is known in advance and a trial costs only `seconds_per_epoch`.
 */
export const syntheticObjectiveParamsSchema = z.strictObject({
  /** A continuous hyperparameter; the objective is best at 0.3. Default 0.5. */
  x: z.number().finite().default(0.5),
  /** A second continuous hyperparameter; the objective is best at 0. Default 0. */
  y: z.number().finite().default(0),
  /** A categorical hyperparameter; `a` is best, then `b`, then `c`. Default `a`. */
  category: z.enum(['a', 'b', 'c']).default('a'),
  /** Wall-clock seconds each training epoch takes, spread over its batches. Default 0. */
  seconds_per_epoch: z.number().min(0).default(0),
  /** From this 0-based epoch on the objective is NaN: a run that diverges on cue. Default never. */
  diverge_at_epoch: z.number().int().min(0).nullable().default(null),
});

export type SyntheticObjectiveParams = z.output<typeof syntheticObjectiveParamsSchema>;

const CATEGORY_PENALTY: Readonly<Record<SyntheticObjectiveParams['category'], number>> = { a: 0, b: 0.25, c: 0.5 };

/** The hyperparameters the objective reads: the model's plus the trainer's learning rate. */
export interface SyntheticObjectivePoint {
  lr: number;
  x: number;
  y: number;
  category: SyntheticObjectiveParams['category'];
  divergeAtEpoch?: number | null;
}

/**
 * What the synthetic trainer reports as `val.objective` after 0-based `epoch`:
 * (log10(lr) + 3)² + (x − 0.3)² + 0.1·y² + penalty(category) + 1/(epoch + 1).
 * Its minimum over the hyperparameters is at lr = 1e-3, x = 0.3, y = 0, category `a`;
 * it falls with every epoch, towards that minimum. NaN from `divergeAtEpoch` on.
 */
export function syntheticObjective(point: SyntheticObjectivePoint, epoch: number): number {
  if (point.divergeAtEpoch !== undefined && point.divergeAtEpoch !== null && epoch >= point.divergeAtEpoch) return Number.NaN;
  return (Math.log10(point.lr) + 3) ** 2 + (point.x - 0.3) ** 2 + 0.1 * point.y ** 2 + CATEGORY_PENALTY[point.category] + 1 / (epoch + 1);
}

/**
 * The model passes its input through a single scale variable (1.0), so checkpoints,
 * evaluation and the rest of a run's machinery work as for any model.
 */
export function buildSyntheticObjective(random: SeededRandom): AutoencoderModel {
  const store = new ParameterStore(random);
  const scale = store.addParameter('scale', 'same', [1], Float32Array.of(1));
  return {
    name: 'synthetic_objective',
    parameters: store.parameters,
    buffers: store.buffers,
    forward: (x): ModelOutputs => ({ xRec: tf.mul(x, scale), extras: {} }),
    dispose: () => scale.dispose(),
  };
}
