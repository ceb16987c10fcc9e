import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../config/config-error.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import { binaryCrossEntropy } from '../losses/binary-cross-entropy.ts';
import { l2Loss } from '../losses/l2-loss.ts';
import { AdversarialAutoencoder } from '../models/aae.ts';
import { trainedModelOf } from './trained-model-of.ts';
import { Adam } from '../optim/adam.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { randomNormalTensor } from '../random-normal-tensor.ts';
import { parameterGradients } from './parameter-gradients.ts';
import { readScalars } from './read-scalars.ts';
import type { StepLosses, TrainerStrategy } from './trainer-strategy.ts';

/**
 * `trainer.params.early_stopping`, ours: `on_improvement` (default in reference mode) is
 * the official AAETrainer, which calls early stopping only after an epoch that improved
 * the best validation loss, so its counter keeps resetting and the run never stops early;
 * `every_epoch` (default in corrected mode) counts every epoch, as core/Trainer.py does.
 */
export const AAE_EARLY_STOPPING = ['on_improvement', 'every_epoch'] as const;
export type AaeEarlyStopping = (typeof AAE_EARLY_STOPPING)[number];

/** Every `LR_DECAY_EVERY` epochs all four learning rates are divided by `LR_DECAY_FACTOR`. */
const LR_DECAY_EVERY = 90;
const LR_DECAY_FACTOR = 4;
/** The official Adam betas of all four optimizers (GPND). */
const BETA1 = 0.5;
const BETA2 = 0.999;
/** Weights of the official losses. */
const RECONSTRUCTION_WEIGHT = 2;
const ENCODER_ADVERSARIAL_WEIGHT = 1;
const LATENT_DISCRIMINATOR_WEIGHT = 2;

/**
 * The learning rate of `epoch` (0-based): the official trainer divides every optimizer's
 * rate by 4 at the start of each epoch with (epoch + 1) % 90 == 0, so epochs 0–88 train
 * at the base rate, 89–178 at ¼ of it, 179–268 at 1/16, ...
 */
export function aaeLearningRate(baseLr: number, epoch: number): number {
  return baseLr / LR_DECAY_FACTOR ** Math.floor((epoch + 1) / LR_DECAY_EVERY);
}

/**
 * The official `AAETrainer` (GPND, docs/models.md §10.1) for the `aae` model. Four Adams
 * (betas 0.5, 0.999): `G`, `D`, `GE` (E and G together) and `ZD`. Per batch, in order:
 *
 * 1. D: BCE(D(x), 1) + BCE(D(G(z)), 0), G(z) detached;
 * 2. G: BCE(D(G(z′)), 1);
 * 3. ZD: 2·[BCE(ZD(z″), 1) + BCE(ZD(E(x)), 0)], E(x) detached;
 * 4. E+G: 2·BCE(G(E(x)), x) + BCE(ZD(E(x)), 1), the pixels of x as soft targets;
 *
 * with z, z′, z″ ~ N(0, I) drawn from the run's step stream, and every sub-network in
 * train mode (BatchNorm on batch statistics, updating its running statistics on each pass).
 * Training reports `loss_d`, `loss_g`, `loss_zd`, `loss_e` and `loss_rec` (2·BCE); `loss`
 * is `loss_rec`, the value the official trainer reports as its training loss.
 * Validation (eval mode): `loss_rec` = 2·BCE(G(E(x)), x), which selects the best model,
 * and `loss_mse`. `trainer.params.loss` (L2 in the official config) is not used, as officially.
 */
export function createAaeTrainer(model: AutoencoderModel, config: ExperimentConfig): TrainerStrategy {
  const aae = trainedModelOf(model, AdversarialAutoencoder, 'aae', 'aae model (official aae_pidhorskyi.AAE)');
  const params = config.trainer.params;
  const earlyStopping = aaeTrainerOptions(config);
  const batchSize = config.trainer.dataLoader.batchSize;
  if (aae.crossBatch && batchSize !== aae.crossBatchSize) {
    throw new ConfigError('experiment config', {
      key: 'trainer.data_loader.params.args.batch_size',
      message: `model.params.cross_batch judges whole batches of model.params.batchSize = ${aae.crossBatchSize}; the batch size must be the same, got ${batchSize}`,
    });
  }

  const { E, G, D, ZD } = aae.subnetworkParameters;
  // What each optimizer updates; GE holds E and G together, as the official `GE_optimizer`.
  const groups = new Map<string, ReadonlyMap<string, tf.Variable>>([
    ['G', G],
    ['D', D],
    ['GE', new Map([...E, ...G])],
    ['ZD', ZD],
  ]);
  const optimizers = new Map(
    [...groups].map(([name, parameters]) => [name, new Adam(parameters, { lr: params.lr, beta1: BETA1, beta2: BETA2 })]),
  );

  /** One step of optimizer `group` on `loss`; returns its value. Tensors made outside `loss` get no gradient (detached). */
  const step: GroupStep = (group, loss) =>
    tf.tidy(() => {
      const { value, grads } = parameterGradients(groups.get(group)!, loss);
      optimizers.get(group)!.applyGradients(grads);
      return value;
    });

  return {
    name: 'aae',
    selectionMetric: 'loss_rec',
    optimizers,
    earlyStoppingSees: earlyStopping,

    beginEpoch(epoch): void {
      const lr = aaeLearningRate(params.lr, epoch);
      for (const opt of optimizers.values()) opt.learningRate = lr;
    },

    async trainStep(x, { random }): Promise<StepLosses> {
      const losses = aaeIteration(aae, x, random, step);
      const values = await readScalars(losses);
      return { loss: values.loss_rec, ...values };
    },

    async validateBatch(x): Promise<Record<string, number>> {
      const metrics = tf.tidy(() => {
        const { xRec } = aae.forward(x, { training: false });
        return { loss_rec: tf.mul(binaryCrossEntropy(xRec, x), RECONSTRUCTION_WEIGHT), loss_mse: l2Loss(xRec, x) };
      });
      return readScalars(metrics);
    },

    state: () => null,
    restore: () => undefined,
    dispose: () => {
      for (const opt of optimizers.values()) opt.dispose();
    },
  };
}

/** One step of an optimizer group on a loss; returns the loss value. */
type GroupStep = (group: string, loss: () => tf.Scalar) => tf.Scalar;

/**
 * One official AAE iteration on batch `x`: D on real against generated images, G against D,
 * ZD on prior against encoded codes, then E and G together on 2·BCE reconstruction plus the
 * encoder's adversarial term. Returns every loss, kept.
 */
function aaeIteration(aae: AdversarialAutoencoder, x: tf.Tensor4D, random: SeededRandom, step: GroupStep): Record<string, tf.Scalar> {
  const train = { training: true };
  const latentCodes = (count: number) => randomNormalTensor(random, [count, 1, 1, aae.zDim]) as tf.Tensor4D;
  const flat = (z: tf.Tensor4D) => tf.reshape(z, [z.shape[0], aae.zDim]) as tf.Tensor2D;
  const b = x.shape[0];
  const latentTargets = aae.crossBatch ? 1 : b;
  return tf.tidy(() => {
    const real = tf.ones([b]);
    const fake = tf.zeros([b]);
    const realLatent = tf.ones([latentTargets]);
    const fakeLatent = tf.zeros([latentTargets]);

    const generated = aae.generate(latentCodes(b), train);
    const lossD = step('D', () =>
      tf.add(binaryCrossEntropy(aae.discriminate(x, train), real), binaryCrossEntropy(aae.discriminate(generated, train), fake)),
    );

    const zG = latentCodes(b);
    const lossG = step('G', () => binaryCrossEntropy(aae.discriminate(aae.generate(zG, train), train), real));

    const zPrior = flat(latentCodes(b));
    const encoded = flat(aae.encode(x, train));
    const lossZd = step('ZD', () =>
      tf.mul(
        tf.add(binaryCrossEntropy(aae.discriminateLatent(zPrior), realLatent), binaryCrossEntropy(aae.discriminateLatent(encoded), fakeLatent)),
        LATENT_DISCRIMINATOR_WEIGHT,
      ),
    );

    const parts: tf.Scalar[] = [];
    step('GE', () => {
      const z = aae.encode(x, train);
      const reconstruction = tf.mul(binaryCrossEntropy(aae.generate(z, train), x), RECONSTRUCTION_WEIGHT) as tf.Scalar;
      const adversarial = tf.mul(binaryCrossEntropy(aae.discriminateLatent(flat(z)), realLatent), ENCODER_ADVERSARIAL_WEIGHT) as tf.Scalar;
      parts.push(tf.keep(reconstruction), tf.keep(adversarial));
      return tf.add(reconstruction, adversarial);
    });
    const [lossRec, lossE] = parts;
    return { loss_rec: lossRec, loss_e: lossE, loss_d: lossD, loss_g: lossG, loss_zd: lossZd };
  });
}

/** The aae trainer's own params (`early_stopping`), after refusing an `lr_scheduler` it cannot follow. */
export function aaeTrainerOptions(config: ExperimentConfig): AaeEarlyStopping {
  const params = config.trainer.params;
  if (params.lrScheduler !== 'none') {
    throw new ConfigError('experiment config', {
      key: 'trainer.params.lr_scheduler',
      message: `the aae trainer has its own schedule (lr ÷ 4 every 90 epochs) and takes no lr_scheduler; remove "${params.lrScheduler}"`,
    });
  }
  return parseEarlyStopping(params.extra.early_stopping, config.mode);
}

function parseEarlyStopping(written: unknown, mode: ExperimentConfig['mode']): AaeEarlyStopping {
  if (written === undefined || written === null) return mode === 'reference' ? 'on_improvement' : 'every_epoch';
  if (typeof written === 'string' && (AAE_EARLY_STOPPING as readonly string[]).includes(written)) return written as AaeEarlyStopping;
  throw new ConfigError('experiment config', {
    key: 'trainer.params.early_stopping',
    message: `expected one of ${AAE_EARLY_STOPPING.join(', ')}, got ${JSON.stringify(written)}`,
  });
}
