import * as tf from '@tensorflow/tfjs-core';
import { type BackendBuffers, backendBuffers, type InPlaceBackend } from './backend-buffers.ts';
import { type KernelArgs, KernelOverrides } from './kernel-overrides.ts';
import { type NativeAddon, nativeAddonStatus } from './native-addon.ts';

/**
 * Convolution kernels of our native addon (native-addon.ts; native/conv-kernels.cc): Conv2D,
 * Conv2DBackpropInput and Conv2DBackpropFilter on float32 NHWC tensors, computed by oneDNN (where
 * the addon was built with it) or OpenBLAS on several threads straight from the backend's own buffers (the cpu backend's typed arrays, the wasm heap).
 * They replace the backend's kernels of those names; a call they do not cover (dilation,
 * NCHW, another dtype) goes to the replaced kernel.
 */

interface ConvAddon extends NativeAddon {
  conv2d(geometry: Int32Array, x: Float32Array, w: Float32Array, y: Float32Array): void;
  conv2dBackpropFilter(geometry: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  conv2dBackpropInput(geometry: Int32Array, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  blasCore(): string;
  convLibrary(): string;
}

export type NativeKernelBackend = InPlaceBackend;

/**
 * Whether the addon loaded, and if not, why; `library` computes the convolutions (e.g. `oneDNN 2.6.3`
 * or `OpenBLAS Haswell`), `blasCore` is OpenBLAS's kernel set (its fallback).
 */
export type NativeConvAddonStatus = { available: true; blasCore: string; library: string } | { available: false; reason: string };

/** Loads the addon once; the reason is kept when it cannot be loaded. */
export function nativeConvAddonStatus(): NativeConvAddonStatus {
  const status = nativeAddonStatus();
  if (!status.available) return status;
  const addon = status.addon as ConvAddon;
  return { available: true, blasCore: addon.blasCore(), library: addon.convLibrary() };
}

/**
 * Registers the three native kernels on `backendName` computing with `threads` threads.
 * Idempotent (a second call only changes the thread count). Returns false, and registers
 * nothing, when the addon is not available.
 */
export function installNativeConvKernels(backendName: NativeKernelBackend, threads: number): boolean {
  const status = nativeAddonStatus();
  if (!status.available) return false;
  const kernels = status.addon as ConvAddon;
  kernels.setThreads(threads);
  OVERRIDES[backendName].install(backendName);
  return true;
}

/** Puts back the kernels that `installNativeConvKernels` replaced. */
export function uninstallNativeConvKernels(backendName: NativeKernelBackend): void {
  OVERRIDES[backendName].uninstall(backendName);
}

/** A native pass: its output, or undefined when the call is one it does not cover. */
type NativePass = (addon: ConvAddon, args: KernelArgs, buffers: BackendBuffers) => tf.TensorInfo | undefined;

const NATIVE_PASSES: ReadonlyArray<[string, NativePass]> = [
  [tf.Conv2D, conv2dForward],
  [tf.Conv2DBackpropInput, conv2dBackpropInput],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilter],
];

const OVERRIDES: Record<NativeKernelBackend, KernelOverrides> = { cpu: convOverrides('cpu'), wasm: convOverrides('wasm') };

/** The three passes in place of `backendName`'s kernels (registered only where the addon loaded). */
function convOverrides(backendName: NativeKernelBackend): KernelOverrides {
  return new KernelOverrides(
    NATIVE_PASSES.map(([kernelName, run]) => [kernelName, (args: KernelArgs) => run(convAddon(), args, backendBuffers(backendName, args.backend))]),
  );
}

function convAddon(): ConvAddon {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(`the native convolution kernels need the native addon: ${status.reason}`);
  return status.addon as ConvAddon;
}

function conv2dForward(addon: ConvAddon, args: KernelArgs, buffers: BackendBuffers): tf.TensorInfo | undefined {
  const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DAttrs;
  if (!covered(attrs.dataFormat, [x, filter])) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const y = buffers.output(info.outShape);
  addon.conv2d(geometryOf(info), buffers.values(x), buffers.values(filter), buffers.values(y));
  return y;
}

function conv2dBackpropInput(addon: ConvAddon, args: KernelArgs, buffers: BackendBuffers): tf.TensorInfo | undefined {
  const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (!covered(attrs.dataFormat, [dy, filter])) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const dx = buffers.output(info.inShape);
  addon.conv2dBackpropInput(geometryOf(info), buffers.values(dy), buffers.values(filter), buffers.values(dx));
  return dx;
}

function conv2dBackpropFilter(addon: ConvAddon, args: KernelArgs, buffers: BackendBuffers): tf.TensorInfo | undefined {
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!covered(attrs.dataFormat, [x, dy])) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const dw = buffers.output(info.filterShape);
  addon.conv2dBackpropFilter(geometryOf(info), buffers.values(x), buffers.values(dy), buffers.values(dw));
  return dw;
}

function covered(dataFormat: string | undefined, tensors: tf.TensorInfo[]): boolean {
  return dataFormat !== 'NCHW' && tensors.every((t) => t.dtype === 'float32');
}

/** The 13 sizes conv-kernels.cc reads, in its ConvGeometry order. */
function geometryOf(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left,
  );
}
