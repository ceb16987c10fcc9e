import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, type InPlaceBackend } from './backend-buffers.ts';
import { type KernelArgs, type KernelOverride, KernelOverrides } from './kernel-overrides.ts';
import { type NativeAddon, nativeAddonStatus } from './native-addon.ts';

/**
 * ResizeBilinear and ResizeBilinearGrad of our native addon (native/resize-kernels.cc) on
 * float32 NHWC images with aligned corners (the decoders' ×2 upsampling,
 * layers/upsample-bilinear.ts), on the addon's threads. The gradient gathers into each input
 * row from the output rows that read it, so threads write disjoint rows and the sums keep one
 * order. Both compute in double precision and round where the cpu backend's kernels do, so
 * they equal those bit for bit; the wasm backend's own round in float32 and differ by rounding.
 * Unaligned corners, half-pixel centres and other dtypes go to the replaced kernels.
 */
interface ResizeAddon extends NativeAddon {
  resizeBilinear(geometry: Int32Array, x: Float32Array, y: Float32Array): void;
  resizeBilinearGrad(geometry: Int32Array, dy: Float32Array, dx: Float32Array): void;
}

function resizeOverrides(backendName: InPlaceBackend): KernelOverrides {
  return new KernelOverrides([
    [tf.ResizeBilinear, resizeForward(backendName)],
    [tf.ResizeBilinearGrad, resizeGradient(backendName)],
  ]);
}

const OVERRIDES: Record<InPlaceBackend, KernelOverrides> = { cpu: resizeOverrides('cpu'), wasm: resizeOverrides('wasm') };

/** Registers both kernels on `backendName` in place of its own when the addon is built; returns whether it did. */
export function installNativeResizeKernels(backendName: InPlaceBackend): boolean {
  if (!nativeAddonStatus().available) return false;
  OVERRIDES[backendName].install(backendName);
  return true;
}

/** Puts back the backend's own kernels. */
export function uninstallNativeResizeKernels(backendName: InPlaceBackend): void {
  OVERRIDES[backendName].uninstall(backendName);
}

function resizeAddon(): ResizeAddon {
  const status = nativeAddonStatus();
  if (!status.available) throw new Error(`the native resize kernels need the native addon: ${status.reason}`);
  return status.addon as ResizeAddon;
}

/** [batch, inH, inW, channels, outH, outW], as resize-kernels.cc reads it. */
function geometryOf(image: tf.TensorInfo, outHeight: number, outWidth: number): Int32Array {
  const [batch, height, width, channels] = image.shape;
  return Int32Array.of(batch, height, width, channels, outHeight, outWidth);
}

function covered(attrs: tf.NamedAttrMap | undefined, tensors: tf.TensorInfo[]): boolean {
  return attrs?.alignCorners === true && attrs.halfPixelCenters !== true && tensors.every((t) => t.dtype === 'float32' && t.shape.length === 4);
}

function resizeForward(backendName: InPlaceBackend): KernelOverride {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { images } = inputs as { images: tf.TensorInfo };
    if (!covered(attrs, [images])) return undefined;
    const [outHeight, outWidth] = (attrs as unknown as tf.ResizeBilinearAttrs).size;
    const buffers = backendBuffers(backendName, backend);
    const y = buffers.output([images.shape[0], outHeight, outWidth, images.shape[3]]);
    resizeAddon().resizeBilinear(geometryOf(images, outHeight, outWidth), buffers.values(images), buffers.values(y));
    return y;
  };
}

function resizeGradient(backendName: InPlaceBackend): KernelOverride {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    if (!covered(attrs, [images, dy])) return undefined;
    const buffers = backendBuffers(backendName, backend);
    const dx = buffers.output(images.shape);
    resizeAddon().resizeBilinearGrad(geometryOf(images, dy.shape[1], dy.shape[2]), buffers.values(dy), buffers.values(dx));
    return dx;
  };
}
