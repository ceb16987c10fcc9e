import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';
import { nativeBoxSumPasses } from '../backend/native-deformation-kernels.ts';

/**
 * The local sums of the NCC loss (ncc-loss.ts) as two fused kernels: `AelabBoxSum` (x [B, H, W, C]
 * → y [B, H, W, 1], the sum over a `window`×`window` neighbourhood and every channel, zeros
 * outside) and `AelabBoxSumGrad` (dy → dx: the same window sum of dy, given to every channel,
 * since a box of ones is its own adjoint). The generic version is a convolution with a
 * window² filter of ones, window² multiply-adds per pixel; these add the rows, then the
 * columns, 2·window additions per pixel, in float64, rounded once. Attribute: `window` (odd).
 */
export const FUSED_BOX_SUM = new FusedKernelPair(
  'AelabBoxSum',
  'AelabBoxSumGrad',
  ({ x }, buffers, attrs) => {
    const [batch, height, width, channels] = x.shape;
    const y = buffers.output([batch, height, width, 1]);
    const [xs, ys] = [buffers.values(x), buffers.values(y)];
    const plane = new Float64Array(height * width);
    for (let b = 0; b < batch; b++) {
      const start = b * height * width * channels;
      plane.fill(0);
      for (let p = 0; p < height * width; p++) {
        for (let c = 0; c < channels; c++) plane[p] += xs[start + p * channels + c];
      }
      ys.set(boxSum(plane, height, width, attrs.window as number), b * height * width);
    }
    return y;
  },
  ({ x, dy }, buffers, attrs) => {
    const [batch, height, width, channels] = x.shape;
    const dx = buffers.output(x.shape);
    const [dys, dxs] = [buffers.values(dy), buffers.values(dx)];
    for (let b = 0; b < batch; b++) {
      const sums = boxSum(Float64Array.from(dys.subarray(b * height * width, (b + 1) * height * width)), height, width, attrs.window as number);
      const start = b * height * width * channels;
      if (channels === 1) dxs.set(sums, start);
      else for (let p = 0; p < height * width; p++) dxs.fill(sums[p], start + p * channels, start + (p + 1) * channels);
    }
    return dx;
  },
  nativeBoxSumPasses,
);

/** Each pixel's sum over the window centred on it, zeros outside the plane, as float32. */
function boxSum(plane: Float64Array, height: number, width: number, window: number): Float32Array {
  const half = (window - 1) / 2;
  const alongRows = new Float64Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let k = Math.max(0, j - half); k <= Math.min(width - 1, j + half); k++) sum += plane[i * width + k];
      alongRows[i * width + j] = sum;
    }
  }
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let k = Math.max(0, i - half); k <= Math.min(height - 1, i + half); k++) sum += alongRows[k * width + j];
      out[i * width + j] = sum;
    }
  }
  return out;
}
