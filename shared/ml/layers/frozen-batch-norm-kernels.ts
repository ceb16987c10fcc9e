import * as tf from '@tensorflow/tfjs-core';
import type { BackendBuffers, InPlaceBackend } from '../backend/backend-buffers.ts';
import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';

/**
 * BatchNorm2d with fixed statistics (batch-norm2d.ts, mode `frozen`, and every evaluation) as
 * two fused kernels: `AelabFrozenBatchNorm` (x, mean, invStd, weight, bias → y) and
 * `AelabFrozenBatchNormGrad` (x, mean, invStd, weight, dy → dx, dWeight, dBias). The generic
 * ops take four passes forward and, backward, six more plus two sums over N·H·W, each a
 * JavaScript loop with its own full-size output on the cpu backend; these take one pass each
 * and keep only x for the gradient. Both backends can run them; only cpu installs them, as
 * wasm's SIMD ops are faster than one JavaScript pass (backend/fused-kernels.ts).
 *
 * y and dx round every intermediate to float32 where the generic ops do, so they equal them
 * bit for bit; dWeight and dBias are summed in float64 in a fixed order (the generic sums
 * add float32 values in the backend's order), so they differ from the generic ones by
 * rounding only. Layout NHWC; mean, invStd, weight and bias have one value per channel.
 */
export const FROZEN_BATCH_NORM = 'AelabFrozenBatchNorm';
export const FROZEN_BATCH_NORM_GRAD = 'AelabFrozenBatchNormGrad';

interface ChannelStatistics {
  mean: Float32Array;
  invStd: Float32Array;
  weight: Float32Array;
}

const kernels = new FusedKernelPair(
  FROZEN_BATCH_NORM,
  FROZEN_BATCH_NORM_GRAD,
  (inputs, buffers) => {
    const y = buffers.output(inputs.x.shape);
    normalizeForward(buffers.values(inputs.x), channelStatistics(buffers, inputs), buffers.values(inputs.bias), buffers.values(y));
    return y;
  },
  (inputs, buffers) => {
    const outputs = [buffers.output(inputs.x.shape), buffers.output(inputs.weight.shape), buffers.output(inputs.weight.shape)];
    const [dx, dWeight, dBias] = outputs.map((info) => buffers.values(info));
    normalizeBackward(buffers.values(inputs.x), channelStatistics(buffers, inputs), buffers.values(inputs.dy), { dx, dWeight, dBias });
    return outputs;
  },
);

/** Registers both kernels on `backendName`. Idempotent. */
export function installFrozenBatchNormKernels(backendName: InPlaceBackend): void {
  kernels.install(backendName);
}

/** Removes both kernels from `backendName` (BatchNorm2d then runs on generic ops). */
export function uninstallFrozenBatchNormKernels(backendName: InPlaceBackend): void {
  kernels.uninstall(backendName);
}

/** Whether the active backend has the fused kernels. */
export function frozenBatchNormAvailable(): boolean {
  return kernels.available();
}

/**
 * ((x − mean)·invStd)·weight + bias through the fused kernels, with its gradient to x,
 * weight and bias; mean and invStd are constants (running statistics).
 */
export function frozenBatchNorm(x: tf.Tensor4D, mean: tf.Tensor1D, invStd: tf.Tensor1D, weight: tf.Tensor1D, bias: tf.Tensor1D): tf.Tensor4D {
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, shift, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    // The statistics are saved too: the caller's tidy disposes them before the backward pass.
    save([input, scale, mean, invStd]);
    const value = tf.engine().runKernel(FROZEN_BATCH_NORM, { x: input, mean, invStd, weight: scale, bias: shift }) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor, [savedX, savedWeight, savedMean, savedInvStd]: tf.Tensor[]): tf.Tensor[] =>
      tf.engine().runKernel(FROZEN_BATCH_NORM_GRAD, { x: savedX, mean: savedMean, invStd: savedInvStd, weight: savedWeight, dy }) as tf.Tensor[];
    return { value, gradFunc };
  }) as (x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor4D;
  return normalize(x, weight, bias);
}

/** The per-channel inputs both kernels read; views taken after the outputs are allocated (backend-buffers.ts). */
function channelStatistics(buffers: BackendBuffers, inputs: Record<string, tf.TensorInfo>): ChannelStatistics {
  const { mean, invStd, weight } = inputs as Record<keyof ChannelStatistics, tf.TensorInfo>;
  return { mean: buffers.values(mean), invStd: buffers.values(invStd), weight: buffers.values(weight) };
}

function normalizeForward(x: Float32Array, { mean, invStd, weight }: ChannelStatistics, bias: Float32Array, y: Float32Array): void {
  const channels = mean.length;
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) {
      const xHat = Math.fround(Math.fround(x[i + c] - mean[c]) * invStd[c]);
      y[i + c] = Math.fround(xHat * weight[c]) + bias[c];
    }
  }
}

function normalizeBackward(
  x: Float32Array,
  { mean, invStd, weight }: ChannelStatistics,
  dy: Float32Array,
  out: { dx: Float32Array; dWeight: Float32Array; dBias: Float32Array },
): void {
  const channels = mean.length;
  const dWeight = new Float64Array(channels);
  const dBias = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) {
      const g = dy[i + c];
      const xHat = Math.fround(Math.fround(x[i + c] - mean[c]) * invStd[c]);
      out.dx[i + c] = Math.fround(g * weight[c]) * invStd[c];
      dWeight[c] += Math.fround(g * xHat);
      dBias[c] += g;
    }
  }
  out.dWeight.set(dWeight);
  out.dBias.set(dBias);
}
