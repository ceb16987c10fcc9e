import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { l2Loss } from '../losses/l2-loss.ts';
import { SoftIntroVae, type LatentGaussian } from '../models/soft-intro-vae.ts';
import { trainedModelOf } from './trained-model-of.ts';
import { Adam } from '../optim/adam.ts';
import { randomNormalTensor } from '../random-normal-tensor.ts';
import { SeededRandom } from '../../random/seeded-random.ts';
import { detach } from './detach.ts';
import { parameterGradients } from './parameter-gradients.ts';
import { readScalars } from './read-scalars.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';
import { TrainingDivergedError } from './training-diverged-error.ts';

/** `trainer.params` keys of this trainer (ours; the official trainer hard-codes the values). */
const sivaeParamsSchema = z.object({
  /** Weight of the reconstruction terms, β_rec; default 1 (official). */
  beta_rec: z.number().min(0).default(1),
  /** Weight of the KL terms, β_kl; default 1 (official). */
  beta_kl: z.number().min(0).default(1),
  /** Weight of the KL inside the exponentiated ELBOs of the E update, β_neg; default 256 (official). */
  beta_neg: z.number().min(0).default(256),
  /** Weight of the decoder's re-reconstruction terms, γ_r; default 1e-8 (official). */
  gamma_r: z.number().min(0).default(1e-8),
  /**
   * Validation decodes a sample z = mu + σ·ε (true) or mu (false). Default true in
   * reference mode (the official validation calls the sampling `model(x)`), false in
   * corrected mode (a selection metric without sampling noise).
   */
  sample_at_validation: z.boolean().optional(),
});

const savedState = z.strictObject({ validation_random: z.array(z.number()) });

/**
 * The official `SIVAETrainer` (Soft-IntroVAE, docs/models.md §10.2) for the
 * `soft_intro_vae` model. scale = 1/(H·W); mse_sum is the per-sample sum of squared
 * errors and KL(mu, logvar) = −½·Σ(1 + logvar − e^logvar − mu²) per sample, both averaged
 * over the batch where a term says "mean". Per batch, with noise ~ N(0, I) drawn once:
 *
 * E update (gradients for the encoder only; the decoder is frozen):
 *   fake = D(noise); z ~ E(x); rec = D(z);
 *   rec_rec, μ_r, lv_r from E and D on rec (detached); rec_fake, μ_f, lv_f on fake (detached);
 *   expelbo_r = mean exp(−2·scale·(β_rec·mse_sum(rec, rec_rec) + β_neg·KL(μ_r, lv_r))), expelbo_f alike;
 *   L_E = scale·(β_rec·mean mse_sum(x, rec) + β_kl·mean KL(mu, lv)) + ¼·(expelbo_r + expelbo_f).
 * D update (gradients for the decoder only; the encoder, already stepped, is frozen):
 *   fake = D(noise); rec = D(z) with z of the E update, detached;
 *   z_r ~ E(rec), z_f ~ E(fake); rec_rec = D(z_r), rec_fake = D(z_f), both z detached;
 *   L_D = scale·(β_rec·mean mse_sum(x, rec) + β_kl·½·(mean KL_r + mean KL_f)
 *         + γ_r·½·β_rec·(mean mse_sum(rec, rec_rec) + mean mse_sum(fake, rec_fake))), rec and fake detached.
 *
 * Two Adams (`encoder`, `decoder`) at `optimizer_params.lr`, both checkpointed. Every
 * ε comes from the run's step stream. A NaN or infinite L_E or L_D ends the run with
 * TrainingDivergedError (officially a SystemError). Training reports `loss` = L_E + L_D,
 * `loss_e`, `loss_d`, `loss_rec` (mean mse_sum(x, rec) of the E update), `kl_real`,
 * `expelbo_rec` and `expelbo_fake`. Validation: `loss_prec` = `loss_mse` = MSE(x̂, x),
 * x̂ from a sample (see `sample_at_validation`, drawn from a stream this trainer keeps in
 * its checkpointed state) or from mu. `loss_prec` selects the best model (§11.6).
 * The official MultiStepLR(milestones [350]) is stepped with the validation loss as its
 * epoch and never decays (§11.2): `lr_scheduler: none` is the same schedule.
 * `trainer.params.loss` (L2 in the official config) is not used, as officially.
 */
export function createSivaeTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  const vae = trainedModelOf(model, SoftIntroVae, 'sivae', 'soft_intro_vae model (official soft_intro_vae_daniel.SoftIntroVAE)');
  const params = config.trainer.params;
  const settings = sivaeTrainerOptions(config);
  const sampleAtValidation = settings.sample_at_validation ?? config.mode === 'reference';
  const { beta_rec: betaRec, beta_kl: betaKl, beta_neg: betaNeg, gamma_r: gammaR } = settings;
  const encoderOptimizer = new Adam(vae.encoderParameters, { lr: params.lr });
  const decoderOptimizer = new Adam(vae.decoderParameters, { lr: params.lr });
  let validationRandom = new SeededRandom(config.seed).fork('sivae-validation');

  return {
    name: 'sivae',
    selectionMetric: 'loss_prec',
    optimizers: new Map([
      ['encoder', encoderOptimizer],
      ['decoder', decoderOptimizer],
    ]),

    async trainStep(batch, { epoch, random }): Promise<StepLosses> {
      const [batchSize, height, width] = batch.shape;
      const scale = 1 / (height * width);
      // Tensors that outlive the tidy scopes below (read or reused after them); freed at the end.
      const kept: tf.Tensor[] = [];
      const keep = <T extends tf.Tensor>(tensor: T): T => {
        kept.push(tf.keep(tensor));
        return tensor;
      };
      // Every ε is drawn from `random` in program order, so a resumed run draws the same noise.
      try {
        const prior = keep(randomNormalTensor(random, [batchSize, vae.zdim]) as tf.Tensor2D);
        const step: SivaeStep = { vae, batch, random, scale, keep, weights: { betaRec, betaKl, betaNeg, gammaR } };
        const { terms: encoderTerms, z } = encoderUpdate(step, prior, encoderOptimizer);
        const lossD = decoderUpdate(step, prior, z, decoderOptimizer);

        return await readSivaeLosses(epoch, encoderTerms, lossD);
      } finally {
        tf.dispose(kept);
      }
    },

    async validateBatch(batch): Promise<Record<string, number>> {
      const { mse } = await readScalars({
        mse: tf.tidy(() => {
          const latent = vae.encode(batch, false);
          const z = sampleAtValidation ? vae.reparameterize(latent, validationRandom) : latent.mu;
          return l2Loss(vae.decode(z, false), batch);
        }),
      });
      return { loss_prec: mse, loss_mse: mse };
    },

    state: () => ({ validation_random: validationRandom.state() }),
    restore(state: unknown): void {
      const parsed = savedState.safeParse(state);
      if (!parsed.success) {
        throw new Error(`sivae trainer state: expected {validation_random: [four uint32 words]}, got ${JSON.stringify(state)}`);
      }
      validationRandom = SeededRandom.fromState(parsed.data.validation_random);
    },
    dispose(): void {
      encoderOptimizer.dispose();
      decoderOptimizer.dispose();
    },
  };
}

/** The step's losses as numbers; a non-finite E or D loss means training diverged. */
async function readSivaeLosses(epoch: number, encoderTerms: Record<string, tf.Scalar>, lossD: tf.Scalar): Promise<StepLosses> {
  // readScalars disposes what it reads; the step's `kept` still frees them when it fails.
  const { loss_e: lossE, loss_d: lossDValue, ...terms } = await readScalars({
    loss_e: tf.clone(encoderTerms.loss_e),
    loss_d: tf.clone(lossD),
    loss_rec: tf.clone(encoderTerms.loss_rec),
    kl_real: tf.clone(encoderTerms.kl_real),
    expelbo_rec: tf.clone(encoderTerms.expelbo_rec),
    expelbo_fake: tf.clone(encoderTerms.expelbo_fake),
  });
  for (const [name, loss] of [
    ['loss_e', lossE],
    ['loss_d', lossDValue],
  ] as const) {
    if (!Number.isFinite(loss)) throw new TrainingDivergedError(epoch, `SI-VAE ${name} is ${loss}`);
  }
  return { loss: lossE + lossDValue, loss_e: lossE, loss_d: lossDValue, ...terms };
}

/** What one SI-VAE step's two updates share: the batch, its noise stream, the loss weights and the tensors kept past them. */
interface SivaeStep {
  vae: SoftIntroVae;
  batch: tf.Tensor4D;
  random: SeededRandom;
  /** 1 / (height · width): the official per-pixel scaling of every loss. */
  scale: number;
  keep: <T extends tf.Tensor>(tensor: T) => T;
  weights: { betaRec: number; betaKl: number; betaNeg: number; gammaR: number };
}

/** The encoder's update (ELBO of the real batch, exp-ELBO of reconstructions and fakes); returns its terms and the z the decoder reuses. */
function encoderUpdate(step: SivaeStep, prior: tf.Tensor2D, optimizer: Adam): { terms: Record<string, tf.Scalar>; z: tf.Tensor2D } {
  const { vae, batch, random, scale, keep } = step;
  const { betaRec, betaKl, betaNeg } = step.weights;
  const encoderTerms: Record<string, tf.Scalar> = {};
  let z: tf.Tensor2D | undefined;
  tf.tidy(() => {
    const fake = vae.decode(prior, true);
    const { value, grads } = parameterGradients(vae.encoderParameters, () => {
      const real = vae.encode(batch, true);
      z = keep(vae.reparameterize(real, random));
      const rec = vae.decode(z, true);
      const lossRec = tf.mean(mseSum(batch, rec)) as tf.Scalar;
      const klReal = tf.mean(kl(real)) as tf.Scalar;
      const latentRec = vae.encode(detach(rec), true);
      const recRec = vae.decode(vae.reparameterize(latentRec, random), true);
      const latentFake = vae.encode(fake, true);
      const recFake = vae.decode(vae.reparameterize(latentFake, random), true);
      const expelbo = (target: tf.Tensor4D, reconstruction: tf.Tensor4D, latent: LatentGaussian): tf.Scalar =>
        tf.mean(tf.exp(tf.mul(-2 * scale, tf.add(tf.mul(betaRec, mseSum(target, reconstruction)), tf.mul(betaNeg, kl(latent))))));
      // `rec` is not detached here: as officially, this term also reaches E through rec = D(z).
      const expelboRec = expelbo(rec, recRec, latentRec);
      const expelboFake = expelbo(fake, recFake, latentFake);
      encoderTerms.loss_rec = keep(lossRec);
      encoderTerms.kl_real = keep(klReal);
      encoderTerms.expelbo_rec = keep(expelboRec);
      encoderTerms.expelbo_fake = keep(expelboFake);
      const lossReal = tf.mul(scale, tf.add(tf.mul(betaRec, lossRec), tf.mul(betaKl, klReal)));
      return tf.add(lossReal, tf.mul(0.25, tf.add(expelboRec, expelboFake)));
    });
    optimizer.applyGradients(grads);
    encoderTerms.loss_e = keep(value);
  });
  return { terms: encoderTerms, z: z! };
}

/** The decoder's update on the same batch, z held constant; returns its loss. */
function decoderUpdate(step: SivaeStep, prior: tf.Tensor2D, z: tf.Tensor2D, optimizer: Adam): tf.Scalar {
  const { vae, batch, random, scale, keep } = step;
  const { betaRec, betaKl, gammaR } = step.weights;
  let lossD: tf.Scalar | undefined;
  tf.tidy(() => {
    const { value, grads } = parameterGradients(vae.decoderParameters, () => {
      const fake = vae.decode(prior, true);
      // z was made on the E update's tape: a constant here, i.e. z.detach().
      const rec = vae.decode(z, true);
      const lossRec = tf.mean(mseSum(batch, rec));
      const latentRec = vae.encode(rec, true);
      const latentFake = vae.encode(fake, true);
      const recRec = vae.decode(detach(vae.reparameterize(latentRec, random)), true);
      const recFake = vae.decode(detach(vae.reparameterize(latentFake, random)), true);
      const lossRecRec = tf.mean(mseSum(detach(rec), recRec));
      const lossFakeRec = tf.mean(mseSum(detach(fake), recFake));
      const klTerms = tf.mul(0.5 * betaKl, tf.add(tf.mean(kl(latentRec)), tf.mean(kl(latentFake))));
      const reReconstruction = tf.mul(0.5 * gammaR * betaRec, tf.add(lossRecRec, lossFakeRec));
      return tf.mul(scale, tf.add(tf.add(tf.mul(betaRec, lossRec), klTerms), reReconstruction));
    });
    optimizer.applyGradients(grads);
    lossD = keep(value);
  });
  return lossD!;
}

/** The sivae trainer's own params, after refusing an input transform it does not have. */
export function sivaeTrainerOptions(config: ExperimentConfig): z.output<typeof sivaeParamsSchema> {
  const { extra } = config.trainer.params;
  if (extra.transformer !== undefined && extra.transformer !== null) {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.transformer',
      message: 'the sivae trainer takes no input transform (the official one has none); remove the key',
    });
  }
  return parseSivaeParams(extra);
}

function parseSivaeParams(extra: Record<string, unknown>): z.output<typeof sivaeParamsSchema> {
  const known = Object.fromEntries(Object.keys(sivaeParamsSchema.shape).filter((key) => key in extra).map((key) => [key, extra[key]]));
  const result = sivaeParamsSchema.safeParse(known);
  if (result.success) return result.data;
  throw new ConfigError(
    'experiment config',
    result.error.issues.map((issue) => ({ key: `trainer.params.${issue.path.join('.')}`, message: issue.message })),
  );
}

/** Per-sample sum of squared errors over H, W and C: [batch]. */
function mseSum(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor1D {
  return tf.sum(tf.squaredDifference(a, b), [1, 2, 3]);
}

/** Per-sample KL(N(mu, e^logvar) ‖ N(0, I)) = −½·Σ(1 + logvar − e^logvar − mu²): [batch]. */
function kl({ mu, logvar }: LatentGaussian): tf.Tensor1D {
  return tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.exp(logvar)), tf.square(mu)), 1));
}
