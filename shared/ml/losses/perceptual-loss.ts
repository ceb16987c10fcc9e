/*
 * Conventions (the official `PerceptualLoss` of optim/losses/image_losses.py with the
 * `VGGEncoder` of model_zoo/vgg.py; docs/models.md §9.2, §17.13):
 * - The network is torchvision's `vgg19(pretrained=True).features` cut after indices
 *   [1, 6, 11, 20]: the taps relu1_1, relu2_1, relu3_1, relu4_1. Every conv is 3×3,
 *   stride 1, zero padding 1, with bias, followed by ReLU; a 2×2 max-pool (stride 2,
 *   sizes rounded down) follows blocks 1, 2 and 3. Nothing past conv4_1 is computed.
 * - Weights are torchvision's ImageNet ones, read by their state_dict names
 *   `features.<index>.weight|bias` (PyTorch layout (O, I, 3, 3), transposed to TF.js).
 *   Keras/Caffe VGG19 weights expect BGR mean-subtracted 0–255 input: not these.
 * - A one-channel input is repeated to three channels. There is no ImageNet mean/std
 *   normalisation: values stay in [0, 1], as in the official code.
 * - PL(input, target) = Σ over the four taps of mean((φ(target) − φ(input))²), weights 1.
 * - The network is frozen: its weights are constant tensors, never variables, so no
 *   optimizer can reach them; gradients flow only into the images.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { tfShapeOf, torchToTf } from '../layers/torch-layout.ts';
import { readSafetensors, type SafetensorsTensor } from '../weights/safetensors.ts';
import { systemErrorCode } from '../../errors/system-error-code.ts';

/** One 3×3 convolution of `vgg19().features`, by its index there. */
export interface Vgg19Conv {
  /** Index in torchvision's `features` Sequential: the state_dict prefix `features.<index>`. */
  index: number;
  /** The paper's name, e.g. `conv3_1`. */
  name: string;
  inChannels: number;
  outChannels: number;
}

const conv = (index: number, name: string, inChannels: number, outChannels: number): Vgg19Conv => ({ index, name, inChannels, outChannels });

/**
 * The four chunks of the official VGGEncoder: torchvision `features` indices
 * 0–1, 2–6, 7–11 and 12–20. Each conv is followed by its ReLU; `pool` is MaxPool2d(2, 2).
 */
const CHUNKS: ReadonlyArray<{ tap: string; layers: ReadonlyArray<Vgg19Conv | 'pool'> }> = [
  { tap: 'relu1_1', layers: [conv(0, 'conv1_1', 3, 64)] },
  { tap: 'relu2_1', layers: [conv(2, 'conv1_2', 64, 64), 'pool', conv(5, 'conv2_1', 64, 128)] },
  { tap: 'relu3_1', layers: [conv(7, 'conv2_2', 128, 128), 'pool', conv(10, 'conv3_1', 128, 256)] },
  {
    tap: 'relu4_1',
    layers: [conv(12, 'conv3_2', 256, 256), conv(14, 'conv3_3', 256, 256), conv(16, 'conv3_4', 256, 256), 'pool', conv(19, 'conv4_1', 256, 512)],
  },
];

/** The taps whose MSEs are summed, in order. */
export const PERCEPTUAL_TAPS: readonly string[] = CHUNKS.map((chunk) => chunk.tap);

/** The nine convolutions the loss runs, conv1_1 … conv4_1 (3,505,728 parameters). */
export const VGG19_PERCEPTUAL_CONVS: readonly Vgg19Conv[] = CHUNKS.flatMap((chunk) =>
  chunk.layers.filter((layer): layer is Vgg19Conv => layer !== 'pool'),
);

/** The environment variable naming the weights file when the config does not. */
export const VGG19_WEIGHTS_ENV = 'AELAB_VGG19_WEIGHTS';

/**
 * Python that writes the weights file this loss reads: torchvision's ImageNet VGG19,
 * `features` up to index 20, under the full model's state_dict names (slicing a
 * Sequential keeps its keys "0", "2", …, "19").
 */
export const VGG19_EXPORT_PYTHON =
  'import torchvision, safetensors.torch; ' +
  'm = torchvision.models.vgg19(weights="IMAGENET1K_V1").features[:21]; ' +
  'safetensors.torch.save_file({f"features.{k}": v.contiguous() for k, v in m.state_dict().items()}, "vgg19-features.safetensors")';

/** How to produce the weights file, for error messages. */
export function vgg19ExportHint(): string {
  return (
    `produce it once with Python (torch, torchvision >= 0.13, safetensors): python -c '${VGG19_EXPORT_PYTHON}' ` +
    '(older torchvision: pretrained=True instead of weights=...), then name the file in ' +
    `trainer.params.perceptual_weights, or in ${VGG19_WEIGHTS_ENV} on the API and every worker`
  );
}

interface LoadedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** The frozen VGG19 perceptual loss; `dispose()` frees its weights. */
export class PerceptualLoss {
  private readonly convs: Map<number, LoadedConv>;

  private constructor(convs: Map<number, LoadedConv>) {
    this.convs = convs;
  }

  /**
   * Takes the nine convs from a state_dict in PyTorch layout (e.g. `readSafetensors` of
   * torchvision's weights). Other entries (the rest of `features`, the classifier) are
   * ignored. Throws, naming `source` and every tensor, when one is missing, of the
   * wrong shape or not floating point.
   */
  static fromStateDict(tensors: ReadonlyMap<string, SafetensorsTensor>, source: string): PerceptualLoss {
    const problems: string[] = [];
    const missing: string[] = [];
    for (const layer of VGG19_PERCEPTUAL_CONVS) {
      for (const [suffix, shape] of convShapes(layer)) {
        const name = `features.${layer.index}.${suffix}`;
        const tensor = tensors.get(name);
        if (tensor === undefined) missing.push(name);
        else if (!sameShape(tensor.shape, shape)) {
          problems.push(`${name} has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}] (${layer.name})`);
        } else if (!(tensor.data instanceof Float32Array || tensor.data instanceof Float64Array)) {
          problems.push(`${name} is ${tensor.dtype}, expected a floating-point dtype`);
        }
      }
    }
    if (missing.length > 0) {
      const unprefixed = tensors.has('0.weight') ? '; its names lack the "features." prefix' : '';
      problems.unshift(`missing ${missing.join(', ')}${unprefixed}`);
    }
    if (problems.length > 0) {
      throw new Error(`${source} is not a torchvision VGG19 features state_dict: ${problems.join('; ')}; ${vgg19ExportHint()}`);
    }
    const convs = new Map<number, LoadedConv>();
    for (const layer of VGG19_PERCEPTUAL_CONVS) {
      const weight = tensors.get(`features.${layer.index}.weight`)!;
      const bias = tensors.get(`features.${layer.index}.bias`)!;
      const filterShape = tfShapeOf('conv2d', weight.shape) as [number, number, number, number];
      convs.set(layer.index, {
        filter: tf.tensor4d(torchToTf('conv2d', weight.shape, toFloat32(weight)), filterShape),
        bias: tf.tensor1d(toFloat32(bias)),
      });
    }
    return new PerceptualLoss(convs);
  }

  /**
   * PL(input, target) = Σ_taps mean((φ(target) − φ(input))²) of two NHWC batches of the
   * same shape, one or three channels, values in [0, 1] (not normalised). Gradients flow
   * into `input` (and `target`, if it depends on variables), never into the network.
   */
  apply(input: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
    if (input.rank !== 4 || target.rank !== 4 || input.shape.some((size, axis) => size !== target.shape[axis])) {
      throw new Error(
        `perceptual loss: input and target must be NHWC batches of the same shape, got [${input.shape.join(', ')}] and [${target.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      const inputFeatures = this.features(input);
      const targetFeatures = this.features(target);
      const terms = targetFeatures.map((feature, i) => tf.mean(tf.squaredDifference(feature, inputFeatures[i])));
      return tf.addN(terms) as tf.Scalar;
    });
  }

  /** The four taps relu1_1, relu2_1, relu3_1, relu4_1 (NHWC) of an image batch; the caller disposes them. */
  features(images: tf.Tensor4D): tf.Tensor4D[] {
    const channels = images.shape[3];
    if (images.rank !== 4 || (channels !== 1 && channels !== 3)) {
      throw new Error(`perceptual loss: expected an NHWC batch with 1 or 3 channels, got shape [${images.shape.join(', ')}]`);
    }
    const [height, width] = [images.shape[1], images.shape[2]];
    if (height < 8 || width < 8) {
      throw new Error(`perceptual loss: images must be at least 8×8 (three 2×2 max-pools before conv4_1), got ${height}×${width}`);
    }
    return tf.tidy(() => {
      let h: tf.Tensor4D = channels === 1 ? tf.tile(images, [1, 1, 1, 3]) : images;
      const taps: tf.Tensor4D[] = [];
      for (const chunk of CHUNKS) {
        for (const layer of chunk.layers) {
          if (layer === 'pool') h = tf.maxPool(h, 2, 2, 'valid');
          else {
            const { filter, bias } = this.convs.get(layer.index)!;
            h = tf.fused.conv2d({ x: h, filter, strides: 1, pad: 1, bias, activation: 'relu' });
          }
        }
        taps.push(h);
      }
      return taps;
    });
  }

  dispose(): void {
    for (const { filter, bias } of this.convs.values()) tf.dispose([filter, bias]);
    this.convs.clear();
  }
}

/**
 * Reads the VGG19 weights from a safetensors file with torchvision's state_dict names
 * (`features.0.weight` … `features.19.bias`; see VGG19_EXPORT_PYTHON) and builds the loss.
 * Synchronous, because trainers are built synchronously; the file is about 14 MB.
 */
export function createPerceptualLoss(weightsPath: string): PerceptualLoss {
  let bytes: Buffer;
  try {
    bytes = readFileSync(weightsPath);
  } catch (error) {
    const reason = systemErrorCode(error) ?? String(error);
    throw new Error(`cannot read the VGG19 weights file ${weightsPath} (${reason}); ${vgg19ExportHint()}`);
  }
  const tensors = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), weightsPath);
  return PerceptualLoss.fromStateDict(tensors, weightsPath);
}

function convShapes(layer: Vgg19Conv): Array<[string, number[]]> {
  return [
    ['weight', [layer.outChannels, layer.inChannels, 3, 3]],
    ['bias', [layer.outChannels]],
  ];
}

function toFloat32(tensor: SafetensorsTensor): Float32Array {
  return tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data as Float64Array);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
