import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ModelOutputs } from '../autoencoder-model.ts';
import { BatchNorm2d } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import { Linear } from '../layers/linear.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { torchLayoutOf, torchToTf } from '../layers/torch-layout.ts';
import type { SeededRandom } from '../../random/seeded-random.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

const positiveInt = z.number().int().positive();

/** `model.params` of the official `AAE` (model_zoo/aae_pidhorskyi.py). Keys as in the official constructor. */
export const aaeParamsSchema = z.strictObject({
  /** Latent size (E's output channels, G's input). Required. */
  z_dim: positiveInt,
  /** Base width: E and D use d, 4d (D: d, 2d, 4d); G 4d, 2d; ZD's hidden layers 2d. Default 64. */
  d: positiveInt.default(64),
  /** Image channels. Default 1. */
  channels: positiveInt.default(1),
  /**
   * Extra stride-2 levels in E, G and D: images are 32·2^extra_layers square (0: 32², 1: 64²,
   * 2: 128²). The layers of both levels exist (and are in the state_dict) whatever the value;
   * only the forward pass skips them, as officially. Default 0.
   */
  extra_layers: z.number().int().min(0).max(2).default(0),
  /**
   * The latent discriminator of the whole batch at once (official `ZDiscriminator_mergebatch`):
   * its second layer sees the batch's features side by side, so the training batch must be
   * exactly `batchSize`. Default false.
   */
  cross_batch: z.boolean().default(false),
  /** Batch size that `cross_batch` is built for; unused otherwise. Default 8. */
  batchSize: positiveInt.default(8),
  /**
   * Ours. Which layers get N(0, 0.02) weights and zero biases: `zd` (default in reference
   * mode) only ZD's Linear layers, because the official `AAE.weight_init` reaches E, G and D
   * only as containers, so they keep PyTorch's default init (docs/models.md §10.1); `all`
   * (default in corrected mode) every Conv2d, ConvTranspose2d and Linear, as GPND intends.
   */
  normal_init: z.enum(['zd', 'all']).optional(),
});

/** What a config may write: the official keys, all but `z_dim` optional. */
export type AaeParams = z.input<typeof aaeParamsSchema>;

/** The four sub-networks, as the official attributes name them. */
export type AaeSubnetwork = 'E' | 'G' | 'D' | 'ZD';

/** Standard deviation of the official `normal_init`. */
const NORMAL_INIT_STD = 0.02;
const LEAKY_SLOPE = 0.2;

/**
 * Builds the AAE of Pidhorskyi et al. (GPND) as the official code does (docs/models.md §10.1):
 * encoder E, generator G, image discriminator D and latent discriminator ZD, created in the
 * official order (E, G, ZD, D), which is also the state_dict order.
 *
 * In `corrected` mode GPND's init applies (see `normal_init`); the input must be square, 32·2^extra_layers.
 */
export function buildAae(params: AaeParams, options: BuildModelOptions): AdversarialAutoencoder {
  const p = parseModelParams('aae', aaeParamsSchema, params);
  checkAaeInputSize(p, options.inputSize);
  const side = options.inputSize[0];
  const normalInitAll = (p.normal_init ?? (options.mode === 'reference' ? 'zd' : 'all')) === 'all';
  const store = new ParameterStore(options.random);
  const { d, channels, z_dim: zDim } = p;
  const conv = (name: string, inChannels: number, outChannels: number, stride = 2, padding = 1) =>
    new Conv2d(store, name, { inChannels, outChannels, kernelSize: 4, stride, padding });
  const convT = (name: string, inChannels: number, outChannels: number, stride = 2, padding = 1) =>
    new ConvTranspose2d(store, name, { inChannels, outChannels, kernelSize: 4, stride, padding });
  const bn = (name: string, numFeatures: number) => new BatchNorm2d(store, name, { numFeatures, mode: 'train' });

  // E and D share their layout: conv1_1, the extra levels conv1_2/conv1_3, conv2, conv3, then a 1-stride conv4.
  const convStack = (net: 'E' | 'D', conv2Out: number, outChannels: number): ConvStack => ({
    first: conv(`${net}.conv1_1`, channels, d),
    extra: [
      { conv: conv(`${net}.conv1_2`, d, d), norm: bn(`${net}.conv1_bn2`, d) },
      { conv: conv(`${net}.conv1_3`, d, d), norm: bn(`${net}.conv1_bn3`, d) },
    ],
    main: [
      { conv: conv(`${net}.conv2`, d, conv2Out), norm: bn(`${net}.conv2_bn`, conv2Out) },
      { conv: conv(`${net}.conv3`, conv2Out, 4 * d), norm: bn(`${net}.conv3_bn`, 4 * d) },
    ],
    last: conv(`${net}.conv4`, 4 * d, outChannels, 1, 0),
  });
  const encoder = convStack('E', 4 * d, zDim);
  const generator: Generator = {
    main: [
      { conv: convT('G.deconv1_1', zDim, 4 * d, 1, 0), norm: bn('G.deconv1_1_bn', 4 * d) },
      { conv: convT('G.deconv2', 4 * d, 4 * d), norm: bn('G.deconv2_bn', 4 * d) },
      { conv: convT('G.deconv3', 4 * d, 2 * d), norm: bn('G.deconv3_bn', 2 * d) },
    ],
    extra: [
      { conv: convT('G.deconv3_1', 2 * d, 2 * d), norm: bn('G.deconv3_bn1', 2 * d) },
      { conv: convT('G.deconv3_2', 2 * d, 2 * d), norm: bn('G.deconv3_bn2', 2 * d) },
    ],
    last: convT('G.deconv4', 2 * d, channels),
  };
  const zdHidden = 2 * d;
  const latentDiscriminator: Linear[] = [
    new Linear(store, 'ZD.linear1', { inFeatures: zDim, outFeatures: zdHidden }),
    new Linear(store, 'ZD.linear2', { inFeatures: p.cross_batch ? zdHidden * p.batchSize : zdHidden, outFeatures: zdHidden }),
    new Linear(store, 'ZD.linear3', { inFeatures: zdHidden, outFeatures: 1 }),
  ];
  for (const layer of latentDiscriminator) normalInit(layer, store.random);
  const discriminator = convStack('D', 2 * d, 1);
  if (normalInitAll) {
    for (const stack of [encoder, discriminator]) {
      for (const layer of [stack.first, ...stack.extra.map((l) => l.conv), ...stack.main.map((l) => l.conv), stack.last]) {
        normalInit(layer, store.random);
      }
    }
    for (const layer of [...generator.main, ...generator.extra].map((l) => l.conv).concat(generator.last)) normalInit(layer, store.random);
  }
  return new AdversarialAutoencoder(store, {
    zDim,
    channels,
    side,
    extraLayers: p.extra_layers,
    crossBatch: p.cross_batch,
    batchSize: p.batchSize,
    encoder,
    generator,
    latentDiscriminator,
    discriminator,
  });
}

interface NormedLayer<L> {
  conv: L;
  norm: BatchNorm2d;
}

/** E and D share a shape: a conv without BN, the two optional levels, two levels, a 4×4 valid conv. */
interface ConvStack {
  first: Conv2d;
  extra: readonly NormedLayer<Conv2d>[];
  main: readonly NormedLayer<Conv2d>[];
  last: Conv2d;
}

interface Generator {
  main: readonly NormedLayer<ConvTranspose2d>[];
  extra: readonly NormedLayer<ConvTranspose2d>[];
  last: ConvTranspose2d;
}

interface AaeParts {
  zDim: number;
  channels: number;
  side: number;
  extraLayers: number;
  crossBatch: boolean;
  batchSize: number;
  encoder: ConvStack;
  generator: Generator;
  latentDiscriminator: readonly Linear[];
  discriminator: ConvStack;
}

/**
 * The AAE as an AutoencoderModel (forward = G(E(x)), z = E(x)), with its sub-networks
 * exposed for the AAE trainer, which runs and optimises them separately. BatchNorm trains
 * normally (batch statistics and running-statistics updates when `training`), because the
 * official AAE trainer puts every sub-network in train mode each epoch (§10.1); every
 * forward pass with `training: true` updates the running statistics, as in PyTorch.
 * Shapes are NHWC; the latent is [batch, 1, 1, z_dim] (PyTorch (batch, z_dim, 1, 1)).
 */
export class AdversarialAutoencoder extends StoredModel {
  readonly name = 'aae';
  /** Trainable parameters of each sub-network, by state_dict name (`E.conv1_1.weight`, ...). */
  readonly subnetworkParameters: Readonly<Record<AaeSubnetwork, ReadonlyMap<string, tf.Variable>>>;
  readonly zDim: number;
  /** Square image side, 32·2^extra_layers. */
  readonly imageSize: number;
  /** Whether ZD judges the batch as a whole; then `discriminateLatent` needs exactly `crossBatchSize` codes. */
  readonly crossBatch: boolean;
  readonly crossBatchSize: number;

  constructor(
    store: ParameterStore,
    private readonly parts: AaeParts,
  ) {
    super(store);
    const only = (prefix: AaeSubnetwork) => new Map([...store.parameters].filter(([name]) => name.startsWith(`${prefix}.`)));
    this.subnetworkParameters = { E: only('E'), G: only('G'), D: only('D'), ZD: only('ZD') };
    this.zDim = parts.zDim;
    this.imageSize = parts.side;
    this.crossBatch = parts.crossBatch;
    this.crossBatchSize = parts.batchSize;
  }

  forward(x: tf.Tensor4D, options: { training: boolean }): ModelOutputs {
    return tf.tidy(() => {
      const z = this.encode(x, options);
      return { xRec: this.generate(z, options), z, extras: {} };
    });
  }

  /** E(x): [batch, 1, 1, z_dim], no activation. */
  encode(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor4D {
    this.checkImages('encode', x);
    return tf.tidy(() => this.convStack(this.parts.encoder, x, options.training));
  }

  /** G(z) for z of [batch, 1, 1, z_dim]: images in (0, 1), tanh·0.5 + 0.5. */
  generate(z: tf.Tensor4D, options: { training: boolean }): tf.Tensor4D {
    if (z.rank !== 4 || z.shape[1] !== 1 || z.shape[2] !== 1 || z.shape[3] !== this.zDim) {
      throw new Error(`aae generate: expected latent codes of shape [batch, 1, 1, ${this.zDim}], got [${z.shape.join(', ')}]`);
    }
    const { generator, extraLayers } = this.parts;
    return tf.tidy(() => {
      let h = z;
      for (const level of [...generator.main, ...generator.extra.slice(0, extraLayers)]) {
        h = tf.relu(level.norm.apply(level.conv.apply(h), options.training));
      }
      return tf.add(tf.mul(tf.tanh(generator.last.apply(h)), 0.5), 0.5);
    });
  }

  /** D(x): the probability that each image is real, [batch]. */
  discriminate(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor1D {
    this.checkImages('discriminate', x);
    return tf.tidy(() => tf.reshape(tf.sigmoid(this.convStack(this.parts.discriminator, x, options.training)), [x.shape[0]]));
  }

  /**
   * ZD(z) for codes of [batch, z_dim]: the probability that each code was drawn from the
   * prior, [batch]; with `cross_batch` one probability for the whole batch, [1].
   */
  discriminateLatent(z: tf.Tensor2D): tf.Tensor1D {
    if (z.rank !== 2 || z.shape[1] !== this.zDim) {
      throw new Error(`aae discriminateLatent: expected codes of shape [batch, ${this.zDim}], got [${z.shape.join(', ')}]`);
    }
    if (this.crossBatch && z.shape[0] !== this.crossBatchSize) {
      throw new Error(
        `aae discriminateLatent: with cross_batch the latent discriminator takes exactly model.params.batchSize = ${this.crossBatchSize} codes, got ${z.shape[0]}`,
      );
    }
    const [first, second, third] = this.parts.latentDiscriminator;
    return tf.tidy(() => {
      let h = tf.leakyRelu(first.apply(z), LEAKY_SLOPE);
      // ZDiscriminator_mergebatch lays the batch's features side by side before its second layer.
      if (this.crossBatch) h = tf.reshape(h, [1, -1]);
      h = tf.leakyRelu(second.apply(h), LEAKY_SLOPE);
      const probability = tf.sigmoid(third.apply(h));
      return tf.reshape(probability, [probability.shape[0]]);
    });
  }


  private convStack(stack: ConvStack, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let h = tf.leakyRelu(stack.first.apply(x), LEAKY_SLOPE);
    for (const level of [...stack.extra.slice(0, this.parts.extraLayers), ...stack.main]) {
      h = tf.leakyRelu(level.norm.apply(level.conv.apply(h), training), LEAKY_SLOPE);
    }
    return stack.last.apply(h);
  }

  private checkImages(what: string, x: tf.Tensor4D): void {
    const { side, channels } = this.parts;
    if (x.rank !== 4 || x.shape[1] !== side || x.shape[2] !== side || x.shape[3] !== channels) {
      throw new Error(`aae ${what}: expected an NHWC batch of shape [batch, ${side}, ${side}, ${channels}], got [${x.shape.join(', ')}]`);
    }
  }
}

/** The official `normal_init`: weights N(0, 0.02), zero bias, drawn in PyTorch's row-major order. */
function normalInit(layer: Conv2d | ConvTranspose2d | Linear, random: SeededRandom): void {
  const layout = torchLayoutOf(layer.weight);
  if (layout === undefined) throw new Error('aae: a layer weight carries no PyTorch layout');
  const values = Float32Array.from({ length: layer.weight.size }, () => random.normal(0, NORMAL_INIT_STD));
  tf.tidy(() => {
    layer.weight.assign(tf.tensor(torchToTf(layout.kind, layout.torchShape, values), layer.weight.shape));
    layer.bias?.assign(tf.zerosLike(layer.bias));
  });
}

/** The AAE's layers are sized for 32·2^extra_layers square images. */
export function checkAaeInputSize(p: { extra_layers: number }, [height, width]: [number, number]): void {
  const side = 32 * 2 ** p.extra_layers;
  if (height !== side || width !== side) {
    throw shapePlanError(
      'aae',
      'model.params.extra_layers',
      `extra_layers ${p.extra_layers} builds the AAE for ${side}×${side} images (32·2^extra_layers), but the target size is ${height}×${width}`,
    );
  }
}
