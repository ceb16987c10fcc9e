import * as tf from '@tensorflow/tfjs-core';
import { checkInputChannels } from './check-input-channels.ts';
import { z } from 'zod';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import { swish } from '../layers/activation.ts';
import { BatchNorm2d, type BatchNormMode } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import { GroupNorm } from '../layers/group-norm.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { reflectionPad2d } from '../layers/reflection-pad2d.ts';
import { WeightStandardizedConv2d } from '../layers/weight-standardized-conv2d.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

const positiveInt = z.number().int().positive();

/**
 * `model.params` of the official DAE `UNet` (model_zoo/dae_kascenas.py, docs/models.md §12).
 * Keys and defaults as in the official constructor; `cxr/dae.yaml` writes depth 4, wf 6,
 * padding true, norm group, up_mode upconv.
 */
export const daeUnetParamsSchema = z
  .strictObject({
    /** Input image channels; default 1. */
    in_channels: positiveInt.default(1),
    /** Output channels of the last 1×1 conv (the reconstruction); default 1. */
    n_classes: positiveInt.default(1),
    /** Number of conv blocks on the down path; default 3. */
    depth: positiveInt.default(3),
    /** The first block has 2^wf filters, doubling per level; default 7. */
    wf: z.number().int().min(0).max(12).default(7),
    /**
     * Reflection-pad every 3×3 conv so sizes are kept. Default false, as officially, but
     * only true is supported: without it the convs shrink the maps, the skips are
     * centre-cropped and the reconstruction comes out smaller than the input.
     */
    padding: z.boolean().default(false),
    /** `group` (GroupNorm, g(c) groups), `batch` (BatchNorm2d) or `none`; default group. */
    norm: z.enum(['group', 'batch', 'none']).default('group'),
    /**
     * `upconv`: ConvTranspose2d(k2, s2). `upsample`: bilinear ×2 (align_corners=False,
     * PyTorch's default there) then a 1×1 conv. Default upconv.
     */
    up_mode: z.enum(['upconv', 'upsample']).default('upconv'),
    /**
     * Ours, used with `norm: batch` only. Default `frozen` in reference mode (the official
     * trainer leaves the model in eval mode, §11.4), `train` in corrected mode.
     */
    batchnorm: z.enum(['frozen', 'train']).optional(),
  })
  .superRefine((params, ctx) => {
    if (!params.padding) {
      ctx.addIssue({
        code: 'custom',
        path: ['padding'],
        message: 'padding: false (valid convs, centre-cropped skips) gives a reconstruction smaller than the input; only padding: true is supported',
      });
    }
  });

/** What a config may write: the official keys, all optional. */
export type DaeUnetParams = z.input<typeof daeUnetParamsSchema>;

/**
 * The official `get_groups`: the middle element of the sorted divisors of `channels`
 * (the upper middle when their number is even), e.g. 64 → 8, 128 → 16, 256 → 16, 512 → 32.
 */
export function groupNormGroups(channels: number): number {
  const divisors: number[] = [];
  for (let i = 1; i * i <= channels; i++) {
    if (channels % i !== 0) continue;
    divisors.push(i);
    if (i !== channels / i) divisors.push(channels / i);
  }
  divisors.sort((a, b) => a - b);
  return divisors[Math.floor(divisors.length / 2)];
}

type Norm = GroupNorm | BatchNorm2d;

/** One official `UNetConvBlock`: [ReflectionPad 1 → WNConv 3×3 → Swish → norm] × 2. */
class ConvBlock {
  private readonly layers: { conv: WeightStandardizedConv2d; norm: Norm | undefined }[] = [];

  /** Names follow the block's nn.Sequential indices: pad 0, conv 1, swish 2, norm 3, pad 4, ... */
  constructor(
    store: ParameterStore,
    prefix: string,
    inChannels: number,
    outChannels: number,
    makeNorm: (name: string, channels: number) => Norm | undefined,
  ) {
    let index = 0;
    let c = inChannels;
    for (let i = 0; i < 2; i++) {
      index++; // ReflectionPad2d(1)
      const conv = new WeightStandardizedConv2d(store, `${prefix}.${index++}`, { inChannels: c, outChannels, kernelSize: 3 });
      index++; // Swish
      const norm = makeNorm(`${prefix}.${index}`, outChannels);
      if (norm) index++;
      this.layers.push({ conv, norm });
      c = outChannels;
    }
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let h = x;
    for (const { conv, norm } of this.layers) {
      h = swish(conv.apply(reflectionPad2d(h, 1)));
      if (norm instanceof GroupNorm) h = norm.apply(h);
      else if (norm) h = norm.apply(h, training);
    }
    return h;
  }
}

/** One official `UNetUpBlock`: upsample ×2 to `out` channels, concat [up, skip], conv block. */
interface UpBlock {
  up: ConvTranspose2d | Conv2d;
  /** True for up_mode upsample: bilinear ×2 before the 1×1 conv. */
  resize: boolean;
  block: ConvBlock;
}

/**
 * The DAE of Kascenas et al. (official `UNet`, docs/models.md §12): `depth` conv blocks
 * with 2^(wf+i) filters and avg_pool2d(2) between them, `depth − 1` up blocks, then a
 * 1×1 conv with no output activation. Returns no latent.
 *
 * Only `batchnorm` differs between the modes; the reconstruction must come out at the input size.
 */
export function buildDaeUnet(params: DaeUnetParams, options: BuildModelOptions): AutoencoderModel {
  const p = parseModelParams('dae_unet', daeUnetParamsSchema, params);
  const batchNormMode: BatchNormMode = p.batchnorm ?? (options.mode === 'reference' ? 'frozen' : 'train');
  checkDaeUnetInputSize(p.depth, options.inputSize);

  const store = new ParameterStore(options.random);
  const makeNorm = (name: string, channels: number): Norm | undefined => {
    if (p.norm === 'group') return new GroupNorm(store, name, { numGroups: groupNormGroups(channels), numChannels: channels });
    if (p.norm === 'batch') return new BatchNorm2d(store, name, { numFeatures: channels, mode: batchNormMode });
    return undefined;
  };
  const width = (level: number): number => 2 ** (p.wf + level);

  const down: ConvBlock[] = [];
  let c = p.in_channels;
  for (let i = 0; i < p.depth; i++) {
    down.push(new ConvBlock(store, `down_path.${i}.block`, c, width(i), makeNorm));
    c = width(i);
  }
  const up: UpBlock[] = [];
  for (let level = p.depth - 2; level >= 0; level--) {
    const prefix = `up_path.${p.depth - 2 - level}`;
    const out = width(level);
    const upsampler =
      p.up_mode === 'upconv'
        ? { up: new ConvTranspose2d(store, `${prefix}.up`, { inChannels: c, outChannels: out, kernelSize: 2, stride: 2 }), resize: false }
        : { up: new Conv2d(store, `${prefix}.up.1`, { inChannels: c, outChannels: out, kernelSize: 1 }), resize: true };
    // [up, skip] has out + out = c channels: the block maps c → out, as officially.
    up.push({ ...upsampler, block: new ConvBlock(store, `${prefix}.conv_block.block`, c, out, makeNorm) });
    c = out;
  }
  const last = new Conv2d(store, 'last', { inChannels: c, outChannels: p.n_classes, kernelSize: 1 });
  return new DaeUnet(store, p.in_channels, down, up, last);
}

class DaeUnet extends StoredModel {
  readonly name = 'dae_unet';

  constructor(
    store: ParameterStore,
    private readonly inChannels: number,
    private readonly down: readonly ConvBlock[],
    private readonly up: readonly UpBlock[],
    private readonly last: Conv2d,
  ) {
    super(store);
  }

  forward(x: tf.Tensor4D, options: { training: boolean }): ModelOutputs {
    checkInputChannels('dae_unet', x, this.inChannels);
    return tf.tidy(() => {
      const skips: tf.Tensor4D[] = [];
      let h = x;
      this.down.forEach((block, i) => {
        h = block.apply(h, options.training);
        skips.push(h);
        if (i !== this.down.length - 1) h = tf.avgPool(h, 2, 2, 'valid');
      });
      this.up.forEach(({ up, resize, block }, i) => {
        const [, height, width] = h.shape;
        const source = resize ? tf.image.resizeBilinear(h, [2 * height, 2 * width], false, true) : h;
        h = block.apply(tf.concat([up.apply(source), skips[skips.length - 2 - i]], 3), options.training);
      });
      return { xRec: this.last.apply(h), extras: {} };
    });
  }
}

/** Fails early, naming the params, when avg-pooling would not divide the input evenly. */
export function checkDaeUnetInputSize(depth: number, [height, width]: [number, number]): void {
  const factor = 2 ** (depth - 1);
  for (const [axis, n] of [['height', height], ['width', width]] as const) {
    // The deepest block reflection-pads by 1, which needs at least 2 pixels.
    if (n % factor !== 0 || n / factor < 2) {
      throw shapePlanError(
        'dae_unet',
        'model.params.depth',
        `an input ${axis} of ${n} does not fit model.params.depth ${depth}: the down path halves it ${depth - 1} time(s), ` +
          `so it must be a multiple of ${factor} and at least ${2 * factor}`,
      );
    }
  }
}
