import type { FusedPasses } from './fused-kernel-pair.ts';
import { type NativeAddon, nativeAddonStatus } from './native-addon.ts';

/**
 * MorphAEus' deformation kernels in our native addon (native-addon.ts;
 * native/deformation-kernels.cc): the bilinear warp pair of bilinear-warp-kernels.ts and the
 * NCC window-sum pair of box-sum-kernels.ts, on the addon's threads, giving the bits of those
 * files' JavaScript passes. Each returns undefined when the addon is not available.
 */

interface DeformationAddon extends NativeAddon {
  bilinearWarp(shape: Int32Array, src: Float32Array, flow: Float32Array, out: Float32Array): void;
  bilinearWarpGrad(shape: Int32Array, src: Float32Array, flow: Float32Array, dy: Float32Array, dSrc: Float32Array, dFlow: Float32Array): void;
  boxSum(shape: Int32Array, x: Float32Array, y: Float32Array): void;
  boxSumGrad(shape: Int32Array, dy: Float32Array, dx: Float32Array): void;
}

function deformationAddon(): DeformationAddon | undefined {
  const status = nativeAddonStatus();
  return status.available ? (status.addon as DeformationAddon) : undefined;
}

/** The warp pair: src [B, H, W, C], flow [B, H, W, 2] → out; (src, flow, dy) → [dSrc, dFlow]. */
export function nativeWarpPasses(): FusedPasses | undefined {
  const addon = deformationAddon();
  if (addon === undefined) return undefined;
  return {
    forward: ({ src, flow }, buffers) => {
      const out = buffers.output(src.shape);
      addon.bilinearWarp(Int32Array.from(src.shape), buffers.values(src), buffers.values(flow), buffers.values(out));
      return out;
    },
    gradient: ({ src, flow, dy }, buffers) => {
      const outputs = [buffers.output(src.shape), buffers.output(flow.shape)];
      const [dSrc, dFlow] = outputs.map((info) => buffers.values(info));
      addon.bilinearWarpGrad(Int32Array.from(src.shape), buffers.values(src), buffers.values(flow), buffers.values(dy), dSrc, dFlow);
      return outputs;
    },
  };
}

/** The window-sum pair: x [B, H, W, C] → y [B, H, W, 1]; (x, dy) → dx. Attribute `window`. */
export function nativeBoxSumPasses(): FusedPasses | undefined {
  const addon = deformationAddon();
  if (addon === undefined) return undefined;
  const shapeOf = (shape: number[], window: number): Int32Array => Int32Array.of(...shape, window);
  return {
    forward: ({ x }, buffers, attrs) => {
      const [batch, height, width] = x.shape;
      const y = buffers.output([batch, height, width, 1]);
      addon.boxSum(shapeOf(x.shape, attrs.window as number), buffers.values(x), buffers.values(y));
      return y;
    },
    gradient: ({ x, dy }, buffers, attrs) => {
      const dx = buffers.output(x.shape);
      addon.boxSumGrad(shapeOf(x.shape, attrs.window as number), buffers.values(dy), buffers.values(dx));
      return dx;
    },
  };
}
