import * as tf from '@tensorflow/tfjs-core';
import { checkInputChannels } from './check-input-channels.ts';
import { z } from 'zod';
import type { AutoencoderModel, ForwardOptions, ModelOutputs } from '../autoencoder-model.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import { kaimingNormalInit } from '../layers/kaiming-normal-init.ts';
import { Linear } from '../layers/linear.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { randomNormalTensor } from '../random-normal-tensor.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

/** Feature channels of every hidden conv, and of the 1×1 map between encoder and decoder. */
const HIDDEN = 32;
const BOTTLENECK = 256;

/**
 * `model.params` of the official `BetaVAE_H` (model_zoo/beta_vae_higgings.py, docs/models.md §8).
 * The architecture is fixed: 32-channel k4 s2 p1 convs down to 4×4, a k4 conv to 256×1×1,
 * and a Linear to [mu | logvar].
 */
export const betaVaeParamsSchema = z.strictObject({
  /** Latent dimensions; default 32 (the official fork's default and the CXR config). */
  z_dim: z.number().int().positive().default(32),
  /** Image channels; default 1. */
  nc: z.number().int().positive().default(1),
  /**
   * One more stride-2 conv (and transposed conv) for 128×128 images; false is the original
   * 64×64 network. Default true. The official `cxr/b-vae.yaml` writes it beside `params`,
   * where the official code never reads it; its default is the same.
   */
  additional_layer: z.boolean().default(true),
  /**
   * Ours. Sample z in evaluation as well, as the official forward does, which makes the
   * reconstruction and the anomaly score stochastic. Default false in both modes:
   * evaluation then scores decoder(mu), the deterministic reconstruction that the golden
   * files record; true reproduces the official stochastic scores (noise from the model's
   * own stream). Training always samples, as officially.
   */
  sample_at_eval: z.boolean().default(false),
});

/** What a config may write: the official keys, all optional. */
export type BetaVaeParams = z.input<typeof betaVaeParamsSchema>;

interface Step<Layer> {
  layer: Layer;
  relu: boolean;
}

/**
 * The official BetaVAE_H (Higgins et al.; docs/models.md §8) as two nn.Sequentials, whose
 * indices are the state_dict names (ReLUs and Views take indices too). Conv2d and Linear
 * get Kaiming-normal weights and zero biases; the transposed convs keep PyTorch's default
 * init, because the official `kaiming_init` only matches nn.Conv2d and nn.Linear. Latents
 * are returned as [batch, z_dim]: `z_mu`, `z_logvar` (a true log-variance here).
 *
 * No quirk differs between the modes; the input is 128×128 with `additional_layer`, 64×64 without. The model's
 * own sampling stream is forked from `random`.
 */
export function buildBetaVae(params: BetaVaeParams, options: BuildModelOptions): AutoencoderModel {
  const p = parseModelParams('beta_vae', betaVaeParamsSchema, params);
  checkBetaVaeInputSize(p, options.inputSize);
  const store = new ParameterStore(options.random);
  const halvings = p.additional_layer ? 5 : 4;

  // encoder: (Conv, ReLU) × halvings, Conv k4 to 256, ReLU, View, Linear.
  const encoder: Step<Conv2d>[] = [];
  let index = 0;
  for (let i = 0; i < halvings; i++) {
    const inChannels = i === 0 ? p.nc : HIDDEN;
    encoder.push({ layer: new Conv2d(store, `encoder.${index}`, { inChannels, outChannels: HIDDEN, kernelSize: 4, stride: 2, padding: 1 }), relu: true });
    index += 2;
  }
  encoder.push({ layer: new Conv2d(store, `encoder.${index}`, { inChannels: HIDDEN, outChannels: BOTTLENECK, kernelSize: 4 }), relu: true });
  index += 3;
  const toLatent = new Linear(store, `encoder.${index}`, { inFeatures: BOTTLENECK, outFeatures: 2 * p.z_dim });

  // decoder: Linear, View, ReLU, ConvT k4 256→32, (ReLU, ConvT) × halvings.
  const fromLatent = new Linear(store, 'decoder.0', { inFeatures: p.z_dim, outFeatures: BOTTLENECK });
  const decoder: Step<ConvTranspose2d>[] = [];
  index = 3;
  decoder.push({ layer: new ConvTranspose2d(store, `decoder.${index}`, { inChannels: BOTTLENECK, outChannels: HIDDEN, kernelSize: 4 }), relu: true });
  for (let i = 0; i < halvings; i++) {
    index += 2;
    const last = i === halvings - 1;
    const layer = new ConvTranspose2d(store, `decoder.${index}`, { inChannels: HIDDEN, outChannels: last ? p.nc : HIDDEN, kernelSize: 4, stride: 2, padding: 1 });
    decoder.push({ layer, relu: !last });
  }

  const init = options.random.fork('beta_vae.kaiming');
  for (const layer of [...encoder.map((step) => step.layer), toLatent, fromLatent]) kaimingNormalInit(layer, init);
  return new BetaVae(store, p.nc, p.z_dim, encoder, toLatent, fromLatent, decoder, p.sample_at_eval, options.random.fork('beta_vae.sample'));
}

class BetaVae extends StoredModel {
  readonly name = 'beta_vae';

  constructor(
    store: ParameterStore,
    private readonly inChannels: number,
    private readonly zDim: number,
    private readonly encoder: readonly Step<Conv2d>[],
    private readonly toLatent: Linear,
    private readonly fromLatent: Linear,
    private readonly decoder: readonly Step<ConvTranspose2d>[],
    private readonly sampleAtEval: boolean,
    private readonly ownRandom: SeededRandom,
  ) {
    super(store);
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ModelOutputs {
    checkInputChannels('beta_vae', x, this.inChannels);
    const batch = x.shape[0];
    return tf.tidy(() => {
      let h = x;
      for (const step of this.encoder) {
        h = step.layer.apply(h);
        if (step.relu) h = tf.relu(h);
      }
      const distributions = this.toLatent.apply(tf.reshape(h, [batch, -1]));
      const [mu, logvar] = tf.split<tf.Tensor2D>(distributions, [this.zDim, this.zDim], 1);
      const code: tf.Tensor2D =
        options.training || this.sampleAtEval
          ? tf.add<tf.Tensor2D>(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), randomNormalTensor(options.random ?? this.ownRandom, mu.shape)))
          : mu;
      let g: tf.Tensor4D = tf.relu(tf.reshape(this.fromLatent.apply(code), [batch, 1, 1, -1]));
      for (const step of this.decoder) {
        g = step.layer.apply(g);
        if (step.relu) g = tf.relu(g);
      }
      return { xRec: g, z: code, extras: { z_mu: mu, z_logvar: logvar } };
    });
  }
}

/** BetaVAE_H takes one image size, fixed by `additional_layer`: its convs must end at 1×1. */
export function checkBetaVaeInputSize(p: { additional_layer: boolean }, inputSize: [number, number]): void {
  const size = p.additional_layer ? 128 : 64;
  if (inputSize[0] !== size || inputSize[1] !== size) {
    const other = p.additional_layer ? 64 : 128;
    throw shapePlanError(
      'beta_vae',
      'model.params.additional_layer',
      `BetaVAE_H with additional_layer ${p.additional_layer} takes ${size}×${size} images (its convs must end at 1×1), ` +
        `got a target_size of [${inputSize.join(', ')}]; use additional_layer ${!p.additional_layer} for ${other}×${other}`,
    );
  }
}
