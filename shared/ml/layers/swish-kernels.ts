import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';

/**
 * Swish (activation.ts) as two fused kernels: `AelabSwish` (x → x·sigmoid(x)) and
 * `AelabSwishGrad` (x, dy → dx). The generic version keeps the sigmoid and the product, two
 * full-size tensors, until the backward pass; these keep only x and recompute the sigmoid.
 * Every intermediate is rounded to float32 where the generic ops round it (the sigmoid, the
 * product, each gradient term), so the values equal the cpu backend's generic ones.
 */
export const FUSED_SWISH = new FusedKernelPair(
  'AelabSwish',
  'AelabSwishGrad',
  ({ x }, buffers) => {
    const y = buffers.output(x.shape);
    const [xs, ys] = [buffers.values(x), buffers.values(y)];
    for (let i = 0; i < xs.length; i++) ys[i] = xs[i] * sigmoid(xs[i]);
    return y;
  },
  ({ x, dy }, buffers) => {
    const dx = buffers.output(x.shape);
    const [xs, dys, dxs] = [buffers.values(x), buffers.values(dy), buffers.values(dx)];
    for (let i = 0; i < xs.length; i++) {
      const s = sigmoid(xs[i]);
      const throughProduct = Math.fround(dys[i] * s);
      const throughSigmoid = Math.fround(Math.fround(dys[i] * xs[i]) * Math.fround(s * Math.fround(1 - s)));
      dxs[i] = throughProduct + throughSigmoid;
    }
    return dx;
  },
);

/** The cpu backend's sigmoid, rounded to float32 as its output tensor is. */
function sigmoid(x: number): number {
  return Math.fround(1 / (1 + Math.exp(-x)));
}
