import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, type InPlaceBackend } from '../backend/backend-buffers.ts';

/**
 * The warp of spatial-transformer.ts as two fused kernels: `AelabBilinearWarp` (src, flow →
 * out) and `AelabBilinearWarpGrad` (src, flow, dy → dSrc, dFlow), one pass over the pixels
 * each, instead of ~40 generic ops, a gather and a scatter. Same conventions as that file:
 * NHWC src [B, H, W, C], flow [B, H, W, 2] (Δrow, Δcol) in pixels, corners outside the
 * image contribute 0. Positions and weights are rounded to float32 as the generic ops do,
 * so both pick the same cells; dSrc is summed in pixel order, so it repeats bit for bit.
 */
export const BILINEAR_WARP = 'AelabBilinearWarp';
export const BILINEAR_WARP_GRAD = 'AelabBilinearWarpGrad';

const installed = new Set<InPlaceBackend>();

/** Registers both kernels on `backendName`. Idempotent. */
export function installBilinearWarpKernels(backendName: InPlaceBackend): void {
  if (installed.has(backendName)) return;
  tf.registerKernel({
    kernelName: BILINEAR_WARP,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { src, flow } = inputs as { src: tf.TensorInfo; flow: tf.TensorInfo };
      const buffers = backendBuffers(backendName, backend);
      const out = buffers.output(src.shape);
      warpForward(src.shape as Shape4, buffers.values(src), buffers.values(flow), buffers.values(out));
      return out;
    },
  });
  tf.registerKernel({
    kernelName: BILINEAR_WARP_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { src, flow, dy } = inputs as { src: tf.TensorInfo; flow: tf.TensorInfo; dy: tf.TensorInfo };
      const buffers = backendBuffers(backendName, backend);
      const dSrc = buffers.output(src.shape);
      const dFlow = buffers.output(flow.shape);
      const [srcValues, flowValues, dyValues] = [buffers.values(src), buffers.values(flow), buffers.values(dy)];
      warpBackward(src.shape as Shape4, srcValues, flowValues, dyValues, buffers.values(dSrc), buffers.values(dFlow));
      return [dSrc, dFlow];
    },
  });
  installed.add(backendName);
}

/** Whether the active backend has the fused kernels. */
export function fusedWarpAvailable(): boolean {
  return tf.getKernel(BILINEAR_WARP, tf.getBackend()) !== undefined && tf.getKernel(BILINEAR_WARP_GRAD, tf.getBackend()) !== undefined;
}

/** The warp through the fused kernels, with their gradient (to src and to flow). */
export const fusedWarp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [src, flow, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([src, flow]);
  const value = tf.engine().runKernel(BILINEAR_WARP, { src, flow }) as tf.Tensor4D;
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
    tf.engine().runKernel(BILINEAR_WARP_GRAD, { src: saved[0], flow: saved[1], dy }) as tf.Tensor[];
  return { value, gradFunc };
}) as (src: tf.Tensor4D, flow: tf.Tensor4D) => tf.Tensor4D;

/** Removes both kernels from `backendName` (the warp then runs on generic ops). */
export function uninstallBilinearWarpKernels(backendName: InPlaceBackend): void {
  if (!installed.delete(backendName)) return;
  tf.unregisterKernel(BILINEAR_WARP, backendName);
  tf.unregisterKernel(BILINEAR_WARP_GRAD, backendName);
}

type Shape4 = [number, number, number, number];

/**
 * The four corners of one sample: offsets into src (−1 outside the image) and bilinear
 * weights, in the order 00, 01, 10, 11 (row offset, column offset), plus the fractions.
 */
class SampleCorners {
  readonly offsets = new Int32Array(4);
  readonly weights = new Float64Array(4);
  fy = 0;
  fx = 0;

  constructor(private readonly shape: Shape4) {}

  locate(pixel: number, flow: Float32Array): void {
    const [, height, width, channels] = this.shape;
    const inImage = pixel % (height * width);
    const imageStart = pixel - inImage;
    const row = Math.floor(inImage / width);
    const col = inImage - row * width;
    const y = Math.fround(row + flow[2 * pixel]);
    const x = Math.fround(col + flow[2 * pixel + 1]);
    const y0 = Math.floor(y);
    const x0 = Math.floor(x);
    this.fy = Math.fround(y - y0);
    this.fx = Math.fround(x - x0);
    const gy = Math.fround(1 - this.fy);
    const gx = Math.fround(1 - this.fx);
    for (let k = 0; k < 4; k += 1) {
      const r = y0 + (k >> 1);
      const c = x0 + (k & 1);
      const inside = r >= 0 && r < height && c >= 0 && c < width;
      this.offsets[k] = inside ? (imageStart + r * width + c) * channels : -1;
      this.weights[k] = inside ? Math.fround((k >> 1 ? this.fy : gy) * (k & 1 ? this.fx : gx)) : 0;
    }
  }

  /** The source value at corner k and channel c (0 outside the image). */
  value(src: Float32Array, k: number, c: number): number {
    return this.offsets[k] < 0 ? 0 : src[this.offsets[k] + c];
  }
}

function warpForward(shape: Shape4, src: Float32Array, flow: Float32Array, out: Float32Array): void {
  const [batch, height, width, channels] = shape;
  const corners = new SampleCorners(shape);
  for (let pixel = 0; pixel < batch * height * width; pixel += 1) {
    corners.locate(pixel, flow);
    for (let c = 0; c < channels; c += 1) {
      let sum = 0;
      for (let k = 0; k < 4; k += 1) sum += corners.weights[k] * corners.value(src, k, c);
      out[pixel * channels + c] = sum;
    }
  }
}

function warpBackward(shape: Shape4, src: Float32Array, flow: Float32Array, dy: Float32Array, dSrc: Float32Array, dFlow: Float32Array): void {
  const [batch, height, width, channels] = shape;
  const corners = new SampleCorners(shape);
  dSrc.fill(0);
  for (let pixel = 0; pixel < batch * height * width; pixel += 1) {
    corners.locate(pixel, flow);
    const { fy, fx } = corners;
    let dRow = 0;
    let dCol = 0;
    for (let c = 0; c < channels; c += 1) {
      const upstream = dy[pixel * channels + c];
      for (let k = 0; k < 4; k += 1) {
        if (corners.offsets[k] >= 0) dSrc[corners.offsets[k] + c] += corners.weights[k] * upstream;
      }
      const v00 = corners.value(src, 0, c);
      const v01 = corners.value(src, 1, c);
      const v10 = corners.value(src, 2, c);
      const v11 = corners.value(src, 3, c);
      dRow += upstream * ((v10 - v00) * (1 - fx) + (v11 - v01) * fx);
      dCol += upstream * ((v01 - v00) * (1 - fy) + (v11 - v10) * fy);
    }
    dFlow[2 * pixel] = dRow;
    dFlow[2 * pixel + 1] = dCol;
  }
}
