import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { AutoencoderModel, ModelOutputs } from '../autoencoder-model.ts';
import { integrateVelocity } from '../deformation/integrate-velocity.ts';
import { warp } from '../deformation/spatial-transformer.ts';
import { makeActivation, type Activation } from '../layers/activation.ts';
import { BatchNorm2d } from '../layers/batch-norm2d.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvTranspose2d } from '../layers/conv-transpose2d.ts';
import { ParameterStore } from '../layers/parameter-store.ts';
import { tfShapeOf, torchToTf } from '../layers/torch-layout.ts';
import { checkConvAutoencoderParams, checkOutputSize, convAutoencoderParamsShape, convEncoderDecoderOptions } from './conv-autoencoder.ts';
import { ConvDecoder, type ConvDecoderOptions } from './conv-decoder.ts';
import { ConvEncoder, type ConvEncoderOptions } from './conv-encoder.ts';
import { convNormActivation } from './conv-epilogue.ts';
import type { ConvLevelTensors } from './conv-levels.ts';
import { StoredModel } from './stored-model.ts';
import { parseModelParams, shapePlanError } from './model-params-error.ts';
import type { BuildModelOptions } from './build-model-options.ts';

const positiveInt = z.number().int().positive();

/** Scaling-and-squaring steps of the official Deformer (`int_steps`, not a MorphAEus parameter). */
const INTEGRATION_STEPS = 7;
/** Output channels of every refine layer, hard-coded in the official Deformer. */
const REFINE_CHANNELS = 32;
/** Slope of the Deformer's own `act: leakyrelu`: `nn.LeakyReLU(0.2)`, a real leaky ReLU unlike the encoder's. */
const DEFORMER_LEAKYRELU_SLOPE = 0.2;

/**
 * `model.params` of the official `MorphAEus` (model_zoo/morphaeus.py): the ConvAutoEncoder
 * keys for its encoder and decoder, plus the deformer's. Keys as in the official YAML.
 */
export const morphaeusParamsSchema = z
  .strictObject({
    ...convAutoencoderParamsShape,
    /**
     * Input [height, width] the identity grids of the spatial transformers are built for
     * (official `inshape`). Default: the data's target size, which it must equal.
     */
    inshape: z.array(positiveInt).length(2).optional(),
    /**
     * How many levels feed the deformer: `channels[:nr_ref_channels+1]` sizes its refine
     * layers, so it has nr_ref_channels of them (at most len(channels) − 1), reading the
     * finest levels (3 in the CXR config: 16², 32², 64²). Default 2, the official
     * constructor's.
     */
    nr_ref_channels: positiveInt.default(2),
    /** Also integrate −v and warp the input back (x_reversed); default true. */
    bidir: z.boolean().default(true),
  })
  .superRefine((params, ctx) => {
    checkConvAutoencoderParams(params, ctx);
    if (params.deconv_mode === 'upsample') {
      ctx.addIssue({
        code: 'custom',
        path: ['deconv_mode'],
        message:
          'MorphAEus cannot use deconv_mode upsample: the official Deformer then feeds its first Upsample the first level and its first conv the next one, which does not fit its channel counts; use stride (the CXR config) or trans',
      });
    }
  });

/** What a config may write: the official keys, most of them optional. */
export type MorphaeusParams = z.input<typeof morphaeusParamsSchema>;
export type MorphaeusParsedParams = z.output<typeof morphaeusParamsSchema>;
type ParsedParams = MorphaeusParsedParams;

interface RefineLayer {
  conv: ConvTranspose2d;
  norm: BatchNorm2d | undefined;
}

/** Which tapped feature maps feed the deformer (docs/models.md §3.4), fixed by the shapes at build time. */
interface TapPlan {
  /** Encoder level of each entry of `encode_history` (coarse to fine). */
  encoderLevels: number[];
  /** Decoder conv of each entry of `decode_history`; the index after the last level is the final 1×1 conv. */
  decoderConvs: number[];
  /** Index into both histories of the first refine layer's inputs. */
  start: number;
}

/**
 * MorphAEus (docs/models.md §3): the ConvAutoEncoder's encoder and decoder give the prior p;
 * the deformer reads the raw conv outputs (before BatchNorm and activation) of both at
 * its levels, concatenated [encoder, decoder, previous] on the channel axis, through
 * refine layers (ConvTranspose2d k, stride s, output_padding 1 → BatchNorm(32) →
 * activation; a ConvTranspose also in `deconv_mode: stride`, where the decoder upsamples)
 * and a 3×3 flow head to the velocity v. φ = VecInt₇(v), φ⁻ = VecInt₇(−v); the output is
 * x̂ = warp(p, φ) (`y_source`, the reconstruction scored), with x̃ = warp(x, φ⁻).
 * The deformer's `act: leakyrelu` is a real LeakyReLU(0.2) in both modes; the encoder's
 * and decoder's follow `leakyrelu_slope` (identity in reference mode).
 *
 * Extras, named as the golden outputs: `x_prior` (p), `v` (pre-integration velocity,
 * [B, H, W, 2] as Δrow, Δcol in pixels), `phi`, `y_source` and, with `bidir`, `phi_neg`
 * and `x_reversed`. Without `bidir`, `x_reversed` is x̂ itself, as officially. `z` is the
 * encoder output.
 *
 * The prior, the flow and the warps have the input size.
 */
export function buildMorphaeus(params: MorphaeusParams, options: BuildModelOptions): AutoencoderModel {
  const p = parseModelParams('morphaeus', morphaeusParamsSchema, params);
  const [height, width] = options.inputSize;
  const { stack, refineSpecs, plan } = planMorphaeus(p, options);
  const store = new ParameterStore(options.random);
  const encoder = new ConvEncoder(store, stack.encoder);
  const decoder = new ConvDecoder(store, stack.decoder);
  const k = p.kernel_size;
  const padding = Math.floor((k - 1) / 2);
  const refine = refineSpecs.map(({ inChannels, stride }, i): RefineLayer => {
    const name = `deformer.deformerNN.ref__refine_${i}`;
    const conv = new ConvTranspose2d(store, name, { inChannels, outChannels: REFINE_CHANNELS, kernelSize: k, stride, padding, outputPadding: 1 });
    const norm =
      stack.encoder.batchNorm === null
        ? undefined
        : new BatchNorm2d(store, `deformer.deformerNN.ref__batch_${i}`, { numFeatures: REFINE_CHANNELS, mode: stack.encoder.batchNorm });
    return { conv, norm };
  });
  const flow = flowHead(store);
  // The official SpatialTransformers register their identity grids as buffers, so they are
  // state_dict entries (VecInt's first). The warp builds the same grid itself.
  for (const name of ['deformer.integrate.transformer.grid', 'deformer.transformer.grid']) {
    store.addBuffer(name, 'same', [1, 2, height, width], identityGrid(height, width));
  }

  const deformerActivation = makeActivation(p.act, DEFORMER_LEAKYRELU_SLOPE);
  return new Morphaeus(store, {
    inChannels: p.in_channels,
    inputSize: options.inputSize,
    bidir: p.bidir,
    encoder,
    decoder,
    refine,
    flow,
    deformerActivation,
    plan,
    // `nn.ReLU(True)` runs in place: without a norm in between it overwrites the conv
    // output that the history already holds, so the official taps are post-ReLU then
    // (reference mode only; no official config has norm none).
    tapsAfterActivation: options.mode === 'reference' && p.norm === 'none' && p.act === 'relu',
  });
}

/**
 * Every shape of the model at the input size, worked out before any weight exists; throws
 * a ModelParamsError naming the param where the official model would fail at run time.
 */
export function planMorphaeus(
  p: ParsedParams,
  options: { mode: 'reference' | 'corrected'; inputSize: [number, number] },
): { stack: { encoder: ConvEncoderOptions; decoder: ConvDecoderOptions }; refineSpecs: RefineSpec[]; plan: TapPlan } {
  const [height, width] = options.inputSize;
  if (p.inshape !== undefined && (p.inshape[0] !== height || p.inshape[1] !== width)) {
    throw shapePlanError(
      'morphaeus',
      'model.params.inshape',
      `[${p.inshape.join(', ')}] must equal the data's target_size [${height}, ${width}] (the deformation grids have that size)`,
    );
  }
  const stack = convEncoderDecoderOptions(p, options.mode);
  checkOutputSize('morphaeus', stack, options.inputSize);
  const refineSpecs = refineLayerSpecs(p);
  return { stack, refineSpecs, plan: planTaps(p, stack, refineSpecs, options.inputSize) };
}

interface MorphaeusParts {
  inChannels: number;
  inputSize: [number, number];
  bidir: boolean;
  encoder: ConvEncoder;
  decoder: ConvDecoder;
  refine: RefineLayer[];
  flow: Conv2d;
  deformerActivation: Activation;
  plan: TapPlan;
  tapsAfterActivation: boolean;
}

class Morphaeus extends StoredModel {
  readonly name = 'morphaeus';

  constructor(
    store: ParameterStore,
    private readonly parts: MorphaeusParts,
  ) {
    super(store);
  }

  forward(x: tf.Tensor4D, options: { training: boolean }): ModelOutputs {
    const { inChannels, inputSize, bidir, encoder, decoder, refine, flow, deformerActivation, plan } = this.parts;
    if (x.rank !== 4 || x.shape[1] !== inputSize[0] || x.shape[2] !== inputSize[1] || x.shape[3] !== inChannels) {
      throw new Error(
        `morphaeus: expected an NHWC batch of ${inputSize[0]}×${inputSize[1]} images with ${inChannels} channel(s), got shape [${x.shape.join(', ')}]`,
      );
    }
    const training = options.training;
    return tf.tidy(() => {
      const tap = (level: ConvLevelTensors) => (this.parts.tapsAfterActivation ? level.output : level.conv);
      const encoded = encoder.applyLevels(x, training);
      const z = encoded[encoded.length - 1].output;
      const decoded = decoder.applyLevels(z, training);
      const prior = decoded.output;

      const decoderConvs = [...decoded.levels.map(tap), decoded.finalConv];
      const encodeHistory = plan.encoderLevels.map((level) => tap(encoded[level]));
      const decodeHistory = plan.decoderConvs.map((index) => decoderConvs[index]);
      let h: tf.Tensor4D | undefined;
      refine.forEach((layer, i) => {
        const level = plan.start + i;
        const inputs = [encodeHistory[level], decodeHistory[level], ...(h ? [h] : [])];
        h = convNormActivation({ ...layer, activation: deformerActivation }, tf.concat(inputs, 3), training);
      });
      const v = flow.apply(h!);

      const phi = integrateVelocity(v, INTEGRATION_STEPS);
      const ySource = warp(prior, phi);
      const extras: Record<string, tf.Tensor> = { x_prior: prior, v, phi, y_source: ySource };
      if (bidir) {
        const phiNeg = integrateVelocity(tf.neg(v), INTEGRATION_STEPS);
        extras.phi_neg = phiNeg;
        extras.x_reversed = warp(x, phiNeg);
      } else {
        extras.x_reversed = ySource;
      }
      return { xRec: ySource, z, extras };
    });
  }
}

interface RefineSpec {
  inChannels: number;
  stride: number;
  /** Channels the encoder and decoder taps must bring, by the official channel lists. */
  encoderChannels: number;
  decoderChannels: number;
}

/**
 * The official Deformer's layer list: with `ref = channels[:nr_ref_channels+1]`, encoder
 * channels `reversed(ref)[1:]`, decoder channels `reversed(ref[1:])`, zipped with the
 * reversed strides; layer i takes enc + dec (+ 32 from the previous layer) channels.
 */
function refineLayerSpecs(p: ParsedParams): RefineSpec[] {
  const ref = p.channels.slice(0, p.nr_ref_channels + 1);
  const encoderChannels = [...ref].reverse().slice(1);
  const decoderChannels = ref.slice(1).reverse();
  const strides = [...p.strides].reverse();
  const count = Math.min(decoderChannels.length, strides.length);
  if (count === 0) {
    throw shapePlanError(
      'morphaeus',
      'model.params.nr_ref_channels',
      `model.params.channels [${p.channels.join(', ')}] with nr_ref_channels ${p.nr_ref_channels} gives the deformer no layer; it needs at least 2 channels and nr_ref_channels ≥ 1`,
    );
  }
  return Array.from({ length: count }, (_, i) => ({
    inChannels: decoderChannels[i] + encoderChannels[i] + (i > 0 ? REFINE_CHANNELS : 0),
    stride: strides[i],
    encoderChannels: encoderChannels[i],
    decoderChannels: decoderChannels[i],
  }));
}

/**
 * Replays the official tap rules on the shapes (docs/models.md §3.4): every encoder conv
 * output wider than 1 goes to the front of `encode_history`; a decoder conv output goes to
 * the back of `decode_history` when it is as wide as the next encoder entry. The deformer
 * starts at `len(encode_history) − layers`. Where the official model would fail at run
 * time (too few taps, mismatched concat, a flow of the wrong size), this fails at build
 * time, naming the params.
 */
function planTaps(
  p: ParsedParams,
  stack: { encoder: ConvEncoderOptions; decoder: ConvDecoderOptions },
  refine: readonly RefineSpec[],
  [height, width]: [number, number],
): TapPlan {
  const encoderHeights = ConvEncoder.levelSizes(stack.encoder, height);
  const encoderWidths = ConvEncoder.levelSizes(stack.encoder, width);
  const encoderChannels = [...p.channels, p.channels[p.channels.length - 1]];
  const decoderHeights = ConvDecoder.levelSizes(stack.decoder, encoderHeights[encoderHeights.length - 1]);
  const decoderWidths = ConvDecoder.levelSizes(stack.decoder, encoderWidths[encoderWidths.length - 1]);
  const decoderChannels = [...p.channels].reverse().concat(p.channels[0]);
  // The final 1×1 conv is a Conv2d of the decoder too, so it is a candidate.
  const decoderConvs = [...decoderWidths.map((w, i) => ({ h: decoderHeights[i], w, c: decoderChannels[i] })), {
    h: decoderHeights[decoderHeights.length - 1],
    w: decoderWidths[decoderWidths.length - 1],
    c: p.out_ch,
  }];

  const encoderLevels = encoderWidths.flatMap((w, level) => (w !== 1 ? [level] : [])).reverse();
  const decoderTaps: number[] = [];
  decoderConvs.forEach(({ w }, index) => {
    if (decoderTaps.length < encoderLevels.length && encoderWidths[encoderLevels[decoderTaps.length]] === w) decoderTaps.push(index);
  });

  const where = `model.params channels [${p.channels.join(', ')}], strides [${p.strides.join(', ')}], nr_ref_channels ${p.nr_ref_channels} at ${height}×${width}`;
  const start = encoderLevels.length - refine.length;
  if (start < 0) {
    throw shapePlanError(
      'morphaeus',
      'model.params.nr_ref_channels',
      `${where}: the deformer has ${refine.length} layers but the encoder gives only ${encoderLevels.length} feature maps wider than 1; lower nr_ref_channels`,
    );
  }
  let size: [number, number] | undefined;
  const k = p.kernel_size;
  const pad = Math.floor((k - 1) / 2);
  refine.forEach((spec, i) => {
    const level = start + i;
    const decoderIndex = decoderTaps[level];
    if (decoderIndex === undefined) {
      throw shapePlanError('morphaeus', 'model.params.channels', `${where}: no decoder feature map matches the encoder's at deformer layer ${i}`);
    }
    const enc = { h: encoderHeights[encoderLevels[level]], w: encoderWidths[encoderLevels[level]], c: encoderChannels[encoderLevels[level]] };
    const dec = decoderConvs[decoderIndex];
    const sameSize = enc.h === dec.h && enc.w === dec.w && (size === undefined || (size[0] === enc.h && size[1] === enc.w));
    if (!sameSize || enc.c !== spec.encoderChannels || dec.c !== spec.decoderChannels) {
      throw shapePlanError(
        'morphaeus',
        'model.params.channels',
        `${where}: deformer layer ${i} expects ${spec.encoderChannels} + ${spec.decoderChannels} channels` +
          (i > 0 ? ` + ${REFINE_CHANNELS}` : '') +
          ` at one size, but the taps are ${enc.c}×${enc.h}×${enc.w} and ${dec.c}×${dec.h}×${dec.w}` +
          (size ? ` and the previous layer ${REFINE_CHANNELS}×${size[0]}×${size[1]}` : ''),
      );
    }
    const up = (n: number) => (n - 1) * spec.stride - 2 * pad + k + 1;
    size = [up(enc.h), up(enc.w)];
  });
  if (size![0] !== height || size![1] !== width) {
    throw shapePlanError(
      'morphaeus',
      'model.params.nr_ref_channels',
      `${where}: the deformer's flow comes out ${size![0]}×${size![1]}, not the input size; choose nr_ref_channels so that its last layer reads the encoder's first level`,
    );
  }
  return { encoderLevels, decoderConvs: decoderTaps, start };
}

/** `deformer.flow`: Conv2d(32 → 2, 3×3, padding 1), weights ~ N(0, 1e-5), bias 0 (official init). */
function flowHead(store: ParameterStore): Conv2d {
  const flow = new Conv2d(store, 'deformer.flow', { inChannels: REFINE_CHANNELS, outChannels: 2, kernelSize: 3, padding: 1 });
  const torchShape = [2, REFINE_CHANNELS, 3, 3];
  const values = Float32Array.from({ length: 2 * REFINE_CHANNELS * 9 }, () => store.random.normal(0, 1e-5));
  tf.tidy(() => {
    flow.weight.assign(tf.tensor(torchToTf('conv2d', torchShape, values), tfShapeOf('conv2d', torchShape)));
    flow.bias!.assign(tf.zeros([2]));
  });
  return flow;
}

/** The official SpatialTransformer grid, (1, 2, H, W): grid[0, 0, i, j] = i, grid[0, 1, i, j] = j. */
function identityGrid(height: number, width: number): Float32Array {
  const grid = new Float32Array(2 * height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      grid[i * width + j] = i;
      grid[height * width + i * width + j] = j;
    }
  }
  return grid;
}
