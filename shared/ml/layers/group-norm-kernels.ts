import type * as tf from '@tensorflow/tfjs-core';
import type { InPlaceBackend } from '../backend/backend-buffers.ts';
import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';

/**
 * GroupNorm (group-norm.ts) as two fused kernels: `AelabGroupNorm` (x, gamma, beta → y) and
 * `AelabGroupNormGrad` (x, gamma, dy → dx, dGamma, dBeta). The generic version keeps about
 * ten full-size tensors per layer for its gradient; these keep only the inputs (the statistics are
 * recomputed in the backward pass), which is what lets the 128×128 DAE train within the
 * wasm heap. Group statistics are summed in float64, in a fixed order.
 * Attributes: `numGroups`, `eps`. Layout NHWC, channels split into consecutive groups.
 */
export interface GroupNormAttrs {
  numGroups: number;
  eps: number;
}

const kernels = new FusedKernelPair(
  'AelabGroupNorm',
  'AelabGroupNormGrad',
  ({ x, gamma, beta }, buffers, attrs) => {
    const y = buffers.output(x.shape);
    const layout = new GroupLayout(x.shape, attrs as unknown as GroupNormAttrs);
    layout.forward(buffers.values(x), buffers.values(gamma), buffers.values(beta), buffers.values(y));
    return y;
  },
  ({ x, gamma, dy }, buffers, attrs) => {
    const outputs = [buffers.output(x.shape), buffers.output(gamma.shape), buffers.output(gamma.shape)];
    const layout = new GroupLayout(x.shape, attrs as unknown as GroupNormAttrs);
    const [dx, dGamma, dBeta] = outputs.map((info) => buffers.values(info));
    layout.backward(buffers.values(x), buffers.values(gamma), buffers.values(dy), { dx, dGamma, dBeta });
    return outputs;
  },
);

/** Registers both kernels on `backendName`. Idempotent. */
export function installGroupNormKernels(backendName: InPlaceBackend): void {
  kernels.install(backendName);
}

/** Removes both kernels from `backendName` (GroupNorm then runs on generic ops). */
export function uninstallGroupNormKernels(backendName: InPlaceBackend): void {
  kernels.uninstall(backendName);
}

/** Whether the active backend has the fused kernels. */
export function fusedGroupNormAvailable(): boolean {
  return kernels.available();
}

/** GroupNorm through the fused kernels, with its gradient to x, gamma and beta. */
export function fusedGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: GroupNormAttrs): tf.Tensor4D {
  return kernels.applyTo<tf.Tensor4D>({ x, gamma, beta }, attrs as unknown as tf.NamedAttrMap);
}

/** Index arithmetic and the passes over one NHWC tensor split into groups of channels. */
class GroupLayout {
  private readonly batch: number;
  private readonly pixels: number;
  private readonly channels: number;
  private readonly groupSize: number;
  private readonly numGroups: number;
  private readonly eps: number;
  /** The group of each channel. */
  private readonly groupOf: Int32Array;

  constructor(shape: number[], attrs: GroupNormAttrs) {
    const [batch, height, width, channels] = shape;
    this.batch = batch;
    this.pixels = height * width;
    this.channels = channels;
    this.numGroups = attrs.numGroups;
    this.groupSize = channels / attrs.numGroups;
    this.eps = attrs.eps;
    this.groupOf = Int32Array.from({ length: channels }, (_, c) => Math.floor(c / (channels / attrs.numGroups)));
  }

  forward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array): void {
    for (let b = 0; b < this.batch; b += 1) {
      const { mean, invStd } = this.statistics(x, b);
      const start = b * this.pixels * this.channels;
      for (let i = start; i < start + this.pixels * this.channels; i += this.channels) {
        for (let c = 0; c < this.channels; c += 1) {
          const g = this.groupOf[c];
          y[i + c] = (x[i + c] - mean[g]) * invStd[g] * gamma[c] + beta[c];
        }
      }
    }
  }

  backward(x: Float32Array, gamma: Float32Array, dy: Float32Array, out: { dx: Float32Array; dGamma: Float32Array; dBeta: Float32Array }): void {
    const dGamma = new Float64Array(this.channels);
    const dBeta = new Float64Array(this.channels);
    const count = this.pixels * this.groupSize;
    for (let b = 0; b < this.batch; b += 1) {
      const { mean, invStd } = this.statistics(x, b);
      // Per group: the means of dx̂ = dy·γ and of dx̂·x̂, which the input gradient subtracts.
      const meanDxHat = new Float64Array(this.numGroups);
      const meanDxHatXHat = new Float64Array(this.numGroups);
      const start = b * this.pixels * this.channels;
      const end = start + this.pixels * this.channels;
      for (let i = start; i < end; i += this.channels) {
        for (let c = 0; c < this.channels; c += 1) {
          const g = this.groupOf[c];
          const xHat = (x[i + c] - mean[g]) * invStd[g];
          const dxHat = dy[i + c] * gamma[c];
          meanDxHat[g] += dxHat;
          meanDxHatXHat[g] += dxHat * xHat;
          dGamma[c] += dy[i + c] * xHat;
          dBeta[c] += dy[i + c];
        }
      }
      for (let g = 0; g < this.numGroups; g += 1) {
        meanDxHat[g] /= count;
        meanDxHatXHat[g] /= count;
      }
      for (let i = start; i < end; i += this.channels) {
        for (let c = 0; c < this.channels; c += 1) {
          const g = this.groupOf[c];
          const xHat = (x[i + c] - mean[g]) * invStd[g];
          out.dx[i + c] = invStd[g] * (dy[i + c] * gamma[c] - meanDxHat[g] - xHat * meanDxHatXHat[g]);
        }
      }
    }
    out.dGamma.set(dGamma);
    out.dBeta.set(dBeta);
  }

  /** Mean and 1/√(biased variance + eps) of each group of sample b, in two passes. */
  private statistics(x: Float32Array, b: number): { mean: Float64Array; invStd: Float64Array } {
    const mean = new Float64Array(this.numGroups);
    const invStd = new Float64Array(this.numGroups);
    const start = b * this.pixels * this.channels;
    const end = start + this.pixels * this.channels;
    const count = this.pixels * this.groupSize;
    for (let i = start; i < end; i += this.channels) {
      for (let c = 0; c < this.channels; c += 1) mean[this.groupOf[c]] += x[i + c];
    }
    for (let g = 0; g < this.numGroups; g += 1) mean[g] /= count;
    for (let i = start; i < end; i += this.channels) {
      for (let c = 0; c < this.channels; c += 1) {
        const g = this.groupOf[c];
        invStd[g] += (x[i + c] - mean[g]) ** 2;
      }
    }
    for (let g = 0; g < this.numGroups; g += 1) invStd[g] = 1 / Math.sqrt(invStd[g] / count + this.eps);
    return { mean, invStd };
  }
}
