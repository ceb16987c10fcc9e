import type * as tf from '@tensorflow/tfjs-core';
import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';
import { nativeWarpPasses } from '../backend/native-deformation-kernels.ts';

/**
 * The warp of spatial-transformer.ts as two fused kernels: `AelabBilinearWarp` (src, flow →
 * out) and `AelabBilinearWarpGrad` (src, flow, dy → dSrc, dFlow), one pass over the pixels
 * each, instead of ~40 generic ops, a gather and a scatter. Same conventions as that file:
 * NHWC src [B, H, W, C], flow [B, H, W, 2] (Δrow, Δcol) in pixels, corners outside the
 * image contribute 0. Positions and weights are rounded to float32 as the generic ops do,
 * so both pick the same cells; dSrc is summed in pixel order, so it repeats bit for bit.
 * Where our addon is built the pair computes natively on several threads, with the same bits
 * (native-deformation-kernels.ts).
 */
export const FUSED_WARP = new FusedKernelPair(
  'AelabBilinearWarp',
  'AelabBilinearWarpGrad',
  ({ src, flow }, buffers) => {
    const out = buffers.output(src.shape);
    warpForward(src.shape as Shape4, buffers.values(src), buffers.values(flow), buffers.values(out));
    return out;
  },
  ({ src, flow, dy }, buffers) => {
    const outputs = [buffers.output(src.shape), buffers.output(flow.shape)];
    const [dSrc, dFlow] = outputs.map((info) => buffers.values(info));
    warpBackward(src.shape as Shape4, buffers.values(src), buffers.values(flow), buffers.values(dy), dSrc, dFlow);
    return outputs;
  },
  nativeWarpPasses,
);

/** The warp through the fused kernels, with its gradient (to src and to flow). */
export function fusedWarp(src: tf.Tensor4D, flow: tf.Tensor4D): tf.Tensor4D {
  return FUSED_WARP.applyTo<tf.Tensor4D>({ src, flow });
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
