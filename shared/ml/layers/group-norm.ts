import * as tf from '@tensorflow/tfjs-core';
import { fusedGroupNorm, fusedGroupNormAvailable } from './group-norm-kernels.ts';
import type { ParameterStore } from './parameter-store.ts';
import { filled } from './pytorch-init.ts';

export interface GroupNormOptions {
  numGroups: number;
  numChannels: number;
  /** Default 1e-5 (PyTorch). */
  eps?: number;
}

/**
 * PyTorch `nn.GroupNorm(num_groups, num_channels, affine=True)` on NHWC (docs/models.md
 * §17.9): channels are split into consecutive groups of C/G; each sample is normalised
 * per group over H, W and the group's channels with the biased variance, then scaled
 * and shifted per channel. It uses no batch statistics, so training and evaluation
 * compute the same thing. Variables: `<name>.weight` (init 1), `<name>.bias` (init 0).
 */
export class GroupNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  private readonly numGroups: number;
  private readonly eps: number;

  constructor(store: ParameterStore, name: string, options: GroupNormOptions) {
    const { numGroups, numChannels } = options;
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm ${name}: ${numChannels} channels cannot be split into ${numGroups} equal groups`);
    }
    this.numGroups = numGroups;
    this.eps = options.eps ?? 1e-5;
    this.weight = store.addParameter(`${name}.weight`, 'same', [numChannels], filled(numChannels, 1));
    this.bias = store.addParameter(`${name}.bias`, 'same', [numChannels], filled(numChannels, 0));
  }

  /** Through the fused kernels of group-norm-kernels.ts where the backend has them (cpu, wasm). */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (fusedGroupNormAvailable()) {
      return fusedGroupNorm(x, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, { numGroups: this.numGroups, eps: this.eps });
    }
    return tf.tidy(() => {
      const [batch, height, width, channels] = x.shape;
      const grouped = tf.reshape(x, [batch, height, width, this.numGroups, channels / this.numGroups]);
      const mean = stagedMean(grouped);
      const variance = stagedMean(tf.square(tf.sub(grouped, mean)));
      const normalized = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(tf.reshape(normalized, x.shape), this.weight), this.bias);
    });
  }
}

/**
 * The mean over H, W and the group's channels ([B, H, W, G, C/G] → [B, 1, 1, G, 1]), taken one
 * axis at a time: each partial sum then adds at most one axis length of float32 values. The
 * wasm backend sums in float32, and one sum over a whole 128×128 group was off by enough to
 * move the DAE's output 4e-3 from PyTorch's.
 */
function stagedMean(x: tf.Tensor): tf.Tensor {
  return tf.mean(tf.mean(tf.mean(x, 4, true), 2, true), 1, true);
}
