import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import { buildInputTransform } from '../data-transforms/input-transform-registry.ts';
import { gradientL2Regularizer } from '../losses/gradient-l2-regularizer.ts';
import { l2Loss } from '../losses/l2-loss.ts';
import { nccLoss } from '../losses/ncc-loss.ts';
import { perceptualLossForRun } from '../losses/perceptual-weights.ts';
import { buildReconstructionLoss } from '../losses/reconstruction-loss-registry.ts';
import { criterionTrainerState } from '../losses/stateful-reconstruction-loss.ts';
import { parameterGradients } from './parameter-gradients.ts';
import { readScalars } from './read-scalars.ts';
import { trainerAdam } from './trainer-optimizer.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';
import { validateReconstruction } from './validate-reconstruction.ts';

/** The official `epoch > 10`: the morph term joins the loss from the 12th epoch on. */
export const OFFICIAL_MORPH_START_EPOCH = 11;
/** Lower bound of the β ramp, and β before the first epoch (official `self.beta = 1e-3`). */
const BETA_FLOOR = 1e-3;

/** Options of the `morph` trainer besides the official keys, read from `trainer.params`. */
export interface MorphTrainerOptions {
  /**
   * First 0-based epoch whose loss includes δ·L_morph; before it the deformer runs forward
   * but gets no gradient. Default 11, the official `epoch > 10`.
   */
  morph_start_epoch: number;
}

/** β of a 0-based epoch: clip(β_max · e / max_iter, 1e-3, β_max), as numpy clips (β_max wins when below 1e-3). */
export function morphBeta(epoch: number, betaMax: number, maxIter: number): number {
  return Math.min(Math.max((betaMax * epoch) / maxIter, BETA_FLOOR), betaMax);
}

/**
 * The official MorphTrainer (projects/23_morphaeus/MorphTrainer.py, docs/models.md §3.6, §3.7)
 * for a model with MorphAEus's outputs (`x_prior` p, `v`, `x_reversed` x̃; x̂ = `xRec`):
 *
 * - L_rec = criterion(p, x) + α·PL(p, x), on the prior, not on x̂; PL is the VGG19
 *   perceptual loss, loaded only when α > 0 (`trainer.params.perceptual_weights` or
 *   AELAB_VGG19_WEIGHTS names the weights file).
 * - L_morph = ½[NCC₉(x, x̂) + NCC₉(p, x̃)] + β_e·R(v) (only NCC₉(x, x̂) when the model is not
 *   bidirectional and x̃ is x̂ itself).
 * - loss = L_rec + δ·L_morph from epoch `morph_start_epoch` on, L_rec before it.
 * - β_e = clip(β_max·e/max_iter, 1e-3, β_max), set once per epoch.
 * - A configured input transform corrupts only the model's input; every loss compares
 *   with the clean batch (the official `transformed_images`; no MorphAEus config has one).
 * - Validation: `loss_prec` = criterion(p, x), `loss_mse` = ½[MSE(p, x) + MSE(x̂, x)] (the
 *   selection metric) and, when α > 0, `loss_pl` = PL(p, x), on the model in inference
 *   mode. (The official code computes PL even at α = 0, which needs the VGG19 weights.)
 *
 * Training records per epoch: `loss` (the optimised total), `loss_rec` (criterion on the
 * prior; the official log's `Loss_`), `loss_pl` when α > 0, `beta`, and once the morph
 * term is on `loss_ncc` (the official `Loss_Deformation_`), `loss_reg` (R(v)) and
 * `loss_morph` (L_morph). The official log also lists the NCC and R terms of the epochs
 * before the switch; they are not computed here, as they change nothing.
 */
export function createMorphTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  const params = config.trainer.params;
  const { morph_start_epoch: morphStartEpoch } = morphTrainerOptions(config);
  const criterion = buildReconstructionLoss(params.loss, { mode: config.mode });
  const transform = buildInputTransform(params);
  const { alfa, beta: betaMax, delta, maxIter } = params;
  const perceptual = perceptualLossForRun(config);
  const optimizer = trainerAdam(model, params);
  let beta = BETA_FLOOR;

  return {
    name: 'morph',
    selectionMetric: 'loss_mse',
    optimizers: new Map([['model', optimizer]]),

    beginEpoch(epoch): void {
      beta = morphBeta(epoch, betaMax, maxIter);
    },

    async trainStep(batch, { epoch, random }): Promise<StepLosses> {
      const morphOn = epoch >= morphStartEpoch;
      const parts: Record<string, tf.Scalar> = {};
      try {
        parts.loss = tf.tidy(() => {
          const { value, grads } = parameterGradients(model.parameters, () => {
            const input = transform ? transform.apply(batch, random) : batch;
            const outputs = model.forward(input, { training: true, random });
            const { prior, velocity, reversed } = morphOutputs(model, outputs);
            parts.loss_rec = tf.keep(criterion(prior, batch, outputs, { training: true }));
            let lossRec: tf.Scalar = parts.loss_rec;
            if (perceptual) {
              parts.loss_pl = tf.keep(perceptual.apply(prior, batch));
              lossRec = tf.add(lossRec, tf.mul(parts.loss_pl, alfa));
            }
            if (!morphOn) return lossRec;
            const { ncc, reg, lossMorph } = morphTerms(batch, outputs.xRec, { prior, velocity, reversed }, beta);
            Object.assign(parts, { loss_ncc: tf.keep(ncc), loss_reg: tf.keep(reg), loss_morph: tf.keep(lossMorph) });
            return tf.add(lossRec, tf.mul(lossMorph, delta)) as tf.Scalar;
          });
          optimizer.applyGradients(grads);
          return value;
        });
      } catch (error) {
        tf.dispose(Object.values(parts));
        throw error;
      }
      const { loss, ...values } = await readScalars(parts);
      return { loss, ...values, beta };
    },

    validateBatch: (batch) =>
      validateReconstruction(model, batch, { criterion, perceptual }, (outputs) => {
        const { prior } = morphOutputs(model, outputs);
        return { reconstruction: prior, mse: tf.div(tf.add(l2Loss(prior, batch), l2Loss(outputs.xRec, batch)), 2) };
      }),

    // β is a function of the epoch, set again by beginEpoch when a run resumes.
    ...criterionTrainerState(criterion),
    dispose: () => {
      optimizer.dispose();
      perceptual?.dispose();
    },
  };
}

/** `morph_start_epoch` from `trainer.params` (a non-negative integer; default 11). */
export function morphTrainerOptions(config: ExperimentConfig): MorphTrainerOptions {
  const written = config.trainer.params.extra.morph_start_epoch;
  if (written === undefined || written === null) return { morph_start_epoch: OFFICIAL_MORPH_START_EPOCH };
  if (typeof written !== 'number' || !Number.isInteger(written) || written < 0) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.morph_start_epoch',
      message: `expected a non-negative integer (the first 0-based epoch with the morph loss; official 11), got ${JSON.stringify(written)}`,
    });
  }
  return { morph_start_epoch: written };
}

/** L_morph = NCC + β·R(v); the NCC averages both directions when the model warps back too. */
function morphTerms(
  batch: tf.Tensor4D,
  xRec: tf.Tensor4D,
  { prior, velocity, reversed }: { prior: tf.Tensor4D; velocity: tf.Tensor4D; reversed: tf.Tensor4D },
  beta: number,
): { ncc: tf.Scalar; reg: tf.Scalar; lossMorph: tf.Scalar } {
  const ncc = (reversed === xRec ? nccLoss(batch, xRec) : tf.div(tf.add(nccLoss(batch, xRec), nccLoss(prior, reversed)), 2)) as tf.Scalar;
  const reg = gradientL2Regularizer(velocity);
  return { ncc, reg, lossMorph: tf.add(ncc, tf.mul(reg, beta)) as tf.Scalar };
}

function morphOutputs(model: AutoencoderModel, outputs: ModelOutputs): { prior: tf.Tensor4D; velocity: tf.Tensor4D; reversed: tf.Tensor4D } {
  const { x_prior: prior, v: velocity, x_reversed: reversed } = outputs.extras;
  if (prior === undefined || velocity === undefined || reversed === undefined) {
    throw new Error(
      `trainer morph needs a model that returns x_prior, v and x_reversed (MorphAEus: model.name morphaeus); model ${model.name} does not`,
    );
  }
  return { prior: prior as tf.Tensor4D, velocity: velocity as tf.Tensor4D, reversed: reversed as tf.Tensor4D };
}
