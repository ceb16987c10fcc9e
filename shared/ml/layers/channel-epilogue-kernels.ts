import * as tf from '@tensorflow/tfjs-core';
import type { BackendBuffers, InPlaceBackend } from '../backend/backend-buffers.ts';
import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';
import { type NativeAddon, nativeAddonStatus } from '../backend/native-addon.ts';

/**
 * The tail of a conv level, act(x·scale[c] + shift[c]) over NHWC (c the last axis), as two
 * kernels of our native addon (native/channel-kernels.cc): `AelabChannelEpilogue` (x, scale,
 * shift → y) and `AelabChannelEpilogueGrad` (x, scale, shift, dy → dx, dScale, dShift). A conv's
 * bias, a BatchNorm with fixed statistics and the activation (conv-epilogue.ts) are one pass
 * each way on the addon's threads instead of some ten single-threaded generic ops, and only x
 * is kept for the gradient.
 *
 * The swish's exponential is a polynomial within 2 ulp of e^x (so the loops vectorise), and
 * dScale, dShift are summed in float64 per thread and added in range order: the values differ
 * from the generic ops' by rounding, and are the same bits on every run with the same thread
 * count.
 */
export type EpilogueActivation = 'identity' | 'relu' | 'swish';

const ACTIVATION_CODES: Record<EpilogueActivation, number> = { identity: 0, relu: 1, swish: 2 };

interface ChannelAddon extends NativeAddon {
  channelEpilogue(activation: number, x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void;
  channelEpilogueGrad(
    activation: number, x: Float32Array, scale: Float32Array, shift: Float32Array,
    dy: Float32Array, dx: Float32Array, dScale: Float32Array, dShift: Float32Array,
  ): void;
}

function channelAddon(): ChannelAddon {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(`the channel epilogue kernels need the native addon: ${status.reason}`);
  return status.addon as ChannelAddon;
}

function activationCode(attrs: tf.NamedAttrMap): number {
  return ACTIVATION_CODES[attrs.activation as EpilogueActivation];
}

function channelViews(buffers: BackendBuffers, inputs: Record<string, tf.TensorInfo>): [Float32Array, Float32Array, Float32Array] {
  return [buffers.values(inputs.x), buffers.values(inputs.scale), buffers.values(inputs.shift)];
}

const kernels = new FusedKernelPair(
  'AelabChannelEpilogue',
  'AelabChannelEpilogueGrad',
  (inputs, buffers, attrs) => {
    const y = buffers.output(inputs.x.shape);
    channelAddon().channelEpilogue(activationCode(attrs), ...channelViews(buffers, inputs), buffers.values(y));
    return y;
  },
  (inputs, buffers, attrs) => {
    const outputs = [buffers.output(inputs.x.shape), buffers.output(inputs.scale.shape), buffers.output(inputs.shift.shape)];
    const [dx, dScale, dShift] = outputs.map((info) => buffers.values(info));
    channelAddon().channelEpilogueGrad(activationCode(attrs), ...channelViews(buffers, inputs), buffers.values(inputs.dy), dx, dScale, dShift);
    return outputs;
  },
);

/** Registers both kernels on `backendName` when the addon is built; returns whether it did. */
export function installChannelEpilogueKernels(backendName: InPlaceBackend): boolean {
  if (!nativeAddonStatus().available) return false;
  kernels.install(backendName);
  return true;
}

/** Removes both kernels from `backendName` (levels then run on generic ops). */
export function uninstallChannelEpilogueKernels(backendName: InPlaceBackend): void {
  kernels.uninstall(backendName);
}

/** Whether the active backend has the kernels. */
export function channelEpilogueAvailable(): boolean {
  return kernels.available();
}

/** act(x·scale + shift) per channel through the kernels, with its gradient to x, scale and shift. */
export function channelEpilogue(x: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D, activation: EpilogueActivation): tf.Tensor4D {
  const attrs = { activation };
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, inputScale, inputShift, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    save([input, inputScale, inputShift]);
    const value = tf.engine().runKernel('AelabChannelEpilogue', { x: input, scale: inputScale, shift: inputShift }, attrs) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor, [savedX, savedScale, savedShift]: tf.Tensor[]): tf.Tensor[] =>
      tf.engine().runKernel('AelabChannelEpilogueGrad', { x: savedX, scale: savedScale, shift: savedShift, dy }, attrs) as tf.Tensor[];
    return { value, gradFunc };
  }) as (x: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D) => tf.Tensor4D;
  return op(x, scale, shift);
}
