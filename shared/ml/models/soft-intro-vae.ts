import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ForwardOptions, ModelOutputs } from '../autoencoder-model.ts';
import { BatchNorm2d, type BatchNormMode } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { Linear } from '../layers/linear.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { upsampleNearest2x } from '../layers/upsample-nearest.ts';
import { randomNormalTensor } from '../random-normal-tensor.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

const positiveInt = z.number().int().positive();

/** Slope of every LeakyReLU of the official ResidualBlock and encoder stem. */
const LEAKY_SLOPE = 0.2;

/**
 * CPython caches the ints −5…256, so two equal channel counts up to 256 are the same
 * object and pass the official `inc is not outc` test; larger equal values read from two
 * YAML entries are distinct objects and fail it (docs/models.md §10.2).
 */
const LARGEST_CACHED_INT = 256;

/**
 * `model.params` of the official `SoftIntroVAE` (model_zoo/soft_intro_vae_daniel.py).
 * Keys as in the official YAML; defaults are the official constructor's.
 */
export const softIntroVaeParamsSchema = z
  .strictObject({
    /** Image channels; default 3 (the CXR config uses 1). */
    cdim: positiveInt.default(3),
    /** Latent size; default 512 (the CXR config uses 128). */
    zdim: positiveInt.default(512),
    /** Channels per level, e.g. [64, 128, 256, 512, 512]; default [64, 128, 256, 512, 512, 512]. */
    channels: z.array(positiveInt).min(1).default([64, 128, 256, 512, 512, 512]),
    /** Side of the square input; sizes the encoder's Linear. Default 256 (the CXR config uses 128). */
    image_size: positiveInt.default(256),
    /** Class conditioning; only `false` (every official config) is ported. Default false. */
    conditional: z.boolean().default(false),
    /**
     * Ours. BatchNorm behaviour (see BatchNormMode): default `frozen` in reference mode
     * (the official model trains in eval mode, §11.4), `train` in corrected mode.
     */
    batchnorm: z.enum(['frozen', 'train']).optional(),
    /**
     * Ours. Add the 1×1 `conv_expand` shortcut to blocks whose equal input and output
     * channel counts (above 256) come from two different `channels` entries, as the
     * official `inc is not outc` test does: the two 512→512 `res_in_8` blocks of the CXR
     * config (§10.2, §17.17). Default true in reference mode (needed to load official
     * weights), false in corrected mode (a plain identity shortcut, as intended).
     */
    identity_shortcut_quirk: z.boolean().optional(),
    /**
     * Ours. Whether `forward(x, {training: false})` samples z = mu + σ·ε (the official
     * `forward(x)` does, also in eval mode) instead of decoding mu. Default false in both
     * modes: scores and the golden files use decoder(mu), and an evaluation-time sample
     * would make every score depend on a noise stream. The SI-VAE trainer's validation
     * samples on its own (its `sample_at_validation`).
     */
    sample_at_eval: z.boolean().optional(),
  })
  .superRefine((params, ctx) => {
    if (params.conditional) {
      ctx.addIssue({ code: 'custom', path: ['conditional'], message: 'the class-conditional Soft-IntroVAE is not ported; use false' });
    }
    const factor = 2 ** params.channels.length;
    if (params.image_size % factor !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['image_size'],
        message: `${params.image_size} is not divisible by ${factor} (2 to the number of channels entries, ${params.channels.length}): the encoder halves the image ${params.channels.length} times and the decoder doubles it back`,
      });
    }
  });

/** What a config may write: the official keys, most of them optional. */
export type SoftIntroVaeParams = z.input<typeof softIntroVaeParamsSchema>;

/** The encoder's Gaussian: the two halves of its final Linear output, [batch, zdim] each. */
export interface LatentGaussian {
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
}

/**
 * Official `ResidualBlock(inc, outc, scale=1.0)`: conv3×3 → BN → LReLU(0.2) → conv3×3 → BN,
 * added to the shortcut (a bias-free 1×1 `conv_expand`, or the input itself), then LReLU(0.2).
 * Every conv is bias-free.
 */
class ResidualBlock {
  private readonly expand: Conv2d | undefined;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;

  constructor(store: ParameterStore, name: string, inc: number, outc: number, withExpand: boolean, batchNorm: BatchNormMode) {
    if (!withExpand && inc !== outc) throw new Error(`ResidualBlock ${name}: ${inc}→${outc} channels need the 1×1 shortcut`);
    this.expand = withExpand ? new Conv2d(store, `${name}.conv_expand`, { inChannels: inc, outChannels: outc, kernelSize: 1, bias: false }) : undefined;
    this.conv1 = new Conv2d(store, `${name}.conv1`, { inChannels: inc, outChannels: outc, kernelSize: 3, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(store, `${name}.bn1`, { numFeatures: outc, mode: batchNorm });
    this.conv2 = new Conv2d(store, `${name}.conv2`, { inChannels: outc, outChannels: outc, kernelSize: 3, padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(store, `${name}.bn2`, { numFeatures: outc, mode: batchNorm });
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const identity = this.expand ? this.expand.apply(x) : x;
      const h = tf.leakyRelu(this.bn1.apply(this.conv1.apply(x), training), LEAKY_SLOPE);
      const main = this.bn2.apply(this.conv2.apply(h), training);
      return tf.leakyRelu(tf.add(main, identity), LEAKY_SLOPE);
    });
  }
}

/** A residual block, optionally followed by the level's resampling (AvgPool2d(2) or nearest ×2). */
interface Level {
  block: ResidualBlock;
  resample: boolean;
}

/**
 * The official SoftIntroVAE (docs/models.md §10.2), channels c₀…c_{n−1}, image side s:
 *
 * Encoder (`encoder.main`, then `encoder.fc`):
 *   0, 1          Conv 5×5 p2 cdim→c₀ (no bias), BN; then LReLU(0.2), AvgPool2 → s/2
 *   res_in_{s/2ᵏ} ResidualBlock(c_{k−1}→c_k) + AvgPool2, for k = 1…n−1
 *   res_in_{s/2ⁿ} ResidualBlock(c_{n−1}→c_{n−1})
 *   fc            Linear(c_{n−1}·(s/2ⁿ)², 2·zdim) on the C,H,W flattening → [mu | logvar]
 * Decoder (`decoder.fc`, then `decoder.main`):
 *   fc.0          Linear(zdim, c_{n−1}·(s/2ⁿ)²), ReLU, reshaped C,H,W
 *   res_in_{4·2ᵏ} ResidualBlock(c_{n−k}→c_{n−1−k}) + nearest ×2, for k = 0…n−1 (the
 *                 official names count from 4 whatever the size); c_n := c_{n−1}
 *   res_in_{4·2ⁿ} ResidualBlock(c₀→c₀)
 *   predict       Conv 5×5 p2 c₀→cdim (with bias), Sigmoid
 *
 * `forward` returns x_rec = decoder(z) with z = mu at evaluation (see `sample_at_eval`) and
 * a sample at training; `extras` holds `z_mu` and `z_logvar`. The SI-VAE trainer drives
 * `encode`/`decode` itself with the run's noise stream.
 *
 * The input must be [image_size, image_size]; after the initial weights, `random` (forked) draws the
 * noise of `forward`'s own samples.
 */
export function buildSoftIntroVae(params: SoftIntroVaeParams, options: BuildModelOptions): SoftIntroVae {
  const p = parseModelParams('soft_intro_vae', softIntroVaeParamsSchema, params);
  const reference = options.mode === 'reference';
  const batchNorm: BatchNormMode = p.batchnorm ?? (reference ? 'frozen' : 'train');
  const quirk = p.identity_shortcut_quirk ?? reference;
  checkSoftIntroVaeInputSize(p, options.inputSize);
  const channels = p.channels;
  const n = channels.length;
  // Equal counts from two different entries: the official `is not` gives them a 1×1 conv.
  const withExpand = (inc: number, outc: number): boolean => inc !== outc || (quirk && inc > LARGEST_CACHED_INT);

  const store = new ParameterStore(options.random);
  const stem = new Conv2d(store, 'encoder.main.0', { inChannels: p.cdim, outChannels: channels[0], kernelSize: 5, padding: 2, bias: false });
  const stemNorm = new BatchNorm2d(store, 'encoder.main.1', { numFeatures: channels[0], mode: batchNorm });
  const encoder: Level[] = [];
  let size = p.image_size / 2;
  for (let k = 1; k < n; k++) {
    const block = new ResidualBlock(store, `encoder.main.res_in_${size}`, channels[k - 1], channels[k], withExpand(channels[k - 1], channels[k]), batchNorm);
    encoder.push({ block, resample: true });
    size /= 2;
  }
  encoder.push({ block: new ResidualBlock(store, `encoder.main.res_in_${size}`, channels[n - 1], channels[n - 1], false, batchNorm), resample: false });
  const latentSide = size;
  const flatFeatures = channels[n - 1] * latentSide * latentSide;
  const encoderFc = new Linear(store, 'encoder.fc', { inFeatures: flatFeatures, outFeatures: 2 * p.zdim });

  const decoderFc = new Linear(store, 'decoder.fc.0', { inFeatures: p.zdim, outFeatures: flatFeatures });
  const decoder: Level[] = [];
  let nameSize = 4;
  let c = channels[n - 1];
  for (let k = n - 1; k >= 0; k--) {
    // The first block pairs the last entry with itself (one object): never a conv_expand.
    const expand = k < n - 1 && withExpand(c, channels[k]);
    decoder.push({ block: new ResidualBlock(store, `decoder.main.res_in_${nameSize}`, c, channels[k], expand, batchNorm), resample: true });
    c = channels[k];
    nameSize *= 2;
  }
  decoder.push({ block: new ResidualBlock(store, `decoder.main.res_in_${nameSize}`, c, c, false, batchNorm), resample: false });
  const predict = new Conv2d(store, 'decoder.main.predict', { inChannels: c, outChannels: p.cdim, kernelSize: 5, padding: 2 });

  return new SoftIntroVae(store, {
    cdim: p.cdim,
    zdim: p.zdim,
    imageSize: p.image_size,
    latentShape: [latentSide, latentSide, channels[n - 1]],
    sampleAtEval: p.sample_at_eval ?? false,
    sampling: options.random.fork('sampling'),
    stem,
    stemNorm,
    encoder,
    encoderFc,
    decoderFc,
    decoder,
    predict,
  });
}

interface SoftIntroVaeParts {
  cdim: number;
  zdim: number;
  imageSize: number;
  /** [height, width, channels] of the encoder's last feature map and the decoder's first. */
  latentShape: [number, number, number];
  sampleAtEval: boolean;
  /** Noise of `forward`'s samples when the caller passes no `random`. */
  sampling: SeededRandom;
  stem: Conv2d;
  stemNorm: BatchNorm2d;
  encoder: readonly Level[];
  encoderFc: Linear;
  decoderFc: Linear;
  decoder: readonly Level[];
  predict: Conv2d;
}

export class SoftIntroVae extends StoredModel {
  readonly name = 'soft_intro_vae';
  /** The encoder's parameters (`encoder.*`): what the SI-VAE trainer's E update changes. */
  readonly encoderParameters: ReadonlyMap<string, tf.Variable>;
  /** The decoder's parameters (`decoder.*`): what the D update changes. */
  readonly decoderParameters: ReadonlyMap<string, tf.Variable>;
  readonly zdim: number;

  constructor(
    store: ParameterStore,
    private readonly parts: SoftIntroVaeParts,
  ) {
    super(store);
    const withPrefix = (prefix: string) => new Map([...store.parameters].filter(([key]) => key.startsWith(prefix)));
    this.encoderParameters = withPrefix('encoder.');
    this.decoderParameters = withPrefix('decoder.');
    this.zdim = parts.zdim;
  }

  /** The official `encode(x)`: NHWC images → (mu, logvar). */
  encode(x: tf.Tensor4D, training: boolean): LatentGaussian {
    const { cdim, imageSize } = this.parts;
    if (x.rank !== 4 || x.shape[1] !== imageSize || x.shape[2] !== imageSize || x.shape[3] !== cdim) {
      throw new Error(`soft_intro_vae: expected an NHWC batch of ${imageSize}×${imageSize}×${cdim} images, got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const { stem, stemNorm, encoder, encoderFc, zdim } = this.parts;
      let h = tf.avgPool(tf.leakyRelu(stemNorm.apply(stem.apply(x), training), LEAKY_SLOPE), 2, 2, 'valid');
      for (const level of encoder) {
        h = level.block.apply(h, training);
        if (level.resample) h = tf.avgPool(h, 2, 2, 'valid');
      }
      // PyTorch flattens C,H,W (§17.3).
      const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [x.shape[0], -1]) as tf.Tensor2D;
      const y = encoderFc.apply(flat);
      const batch = x.shape[0];
      return { mu: tf.slice(y, [0, 0], [batch, zdim]), logvar: tf.slice(y, [0, zdim], [batch, zdim]) };
    });
  }

  /** The official `decode(z)`: [batch, zdim] → NHWC images in (0, 1). */
  decode(z: tf.Tensor2D, training: boolean): tf.Tensor4D {
    if (z.rank !== 2 || z.shape[1] !== this.zdim) {
      throw new Error(`soft_intro_vae: expected latents of shape [batch, ${this.zdim}], got [${z.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const { decoderFc, decoder, predict, latentShape } = this.parts;
      const [side, , channels] = latentShape;
      const flat = tf.relu(decoderFc.apply(z));
      let h = tf.transpose(tf.reshape(flat, [z.shape[0], channels, side, side]), [0, 2, 3, 1]) as tf.Tensor4D;
      for (const level of decoder) {
        h = level.block.apply(h, training);
        if (level.resample) h = upsampleNearest2x(h);
      }
      return tf.sigmoid(predict.apply(h));
    });
  }

  /** z = mu + exp(½·logvar)·ε with ε ~ N(0, I) drawn from `random`. */
  reparameterize(latent: LatentGaussian, random: SeededRandom): tf.Tensor2D {
    return tf.tidy(() => {
      const epsilon = randomNormalTensor(random, latent.mu.shape);
      return tf.add(latent.mu, tf.mul(epsilon, tf.exp(tf.mul(latent.logvar, 0.5))));
    });
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ModelOutputs {
    return tf.tidy(() => {
      const latent = this.encode(x, options.training);
      const sample = options.training || this.parts.sampleAtEval;
      // A copy of mu, so that disposing `z` leaves `extras.z_mu` intact.
      const z = sample ? this.reparameterize(latent, options.random ?? this.parts.sampling) : tf.clone(latent.mu);
      const xRec = this.decode(z, options.training);
      return { xRec, z, extras: { z_mu: latent.mu, z_logvar: latent.logvar } };
    });
  }
}

/** The encoder Linear is sized for image_size × image_size images. */
export function checkSoftIntroVaeInputSize(p: { image_size: number }, [height, width]: [number, number]): void {
  if (height !== p.image_size || width !== p.image_size) {
    throw shapePlanError(
      'soft_intro_vae',
      'model.params.image_size',
      `${p.image_size}, but the images are ${height}×${width}; ` +
        'the encoder Linear is sized for image_size × image_size, so set image_size to the data loader target_size (square)',
    );
  }
}
