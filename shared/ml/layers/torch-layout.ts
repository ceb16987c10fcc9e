import type * as tf from '@tensorflow/tfjs-core';

/**
 * How a variable's TF.js layout relates to its PyTorch state_dict entry (docs/models.md
 * §17.3). Index order of each kind:
 * - `conv2d`: PyTorch (O, I, kh, kw) ↔ TF.js conv2d filter (kh, kw, I, O).
 * - `conv_transpose2d`: PyTorch (I, O, kh, kw) ↔ TF.js conv2dTranspose filter (kh, kw, O, I),
 *   with no spatial flip.
 * - `linear`: PyTorch (out, in) ↔ TF.js matMul weight (in, out).
 * - `same`: identical shapes (biases, norm vectors, scalars, grids).
 */
export type TorchLayoutKind = 'conv2d' | 'conv_transpose2d' | 'linear' | 'same';

export interface TorchLayout {
  kind: TorchLayoutKind;
  /** The entry's shape in PyTorch (`torch_shape` in the golden manifests). */
  torchShape: number[];
  /** Position in the PyTorch state_dict, parameters and buffers alike. */
  order: number;
}

const layouts = new WeakMap<tf.Variable, TorchLayout>();

/** Attaches PyTorch layout metadata to a variable; done once, by the layer that owns it. */
export function setTorchLayout(variable: tf.Variable, layout: TorchLayout): void {
  layouts.set(variable, layout);
}

/** The PyTorch layout of a model variable, or undefined for a variable no layer registered. */
export function torchLayoutOf(variable: tf.Variable): TorchLayout | undefined {
  return layouts.get(variable);
}

/** The permutation p such that tfShape[i] = torchShape[p[i]]. */
function torchToTfPermutation(kind: TorchLayoutKind, rank: number): number[] {
  switch (kind) {
    case 'conv2d':
    case 'conv_transpose2d':
      return [2, 3, 1, 0];
    case 'linear':
      return [1, 0];
    case 'same':
      return Array.from({ length: rank }, (_, i) => i);
  }
}

/** The TF.js shape of an entry with the given PyTorch shape. */
export function tfShapeOf(kind: TorchLayoutKind, torchShape: readonly number[]): number[] {
  return torchToTfPermutation(kind, torchShape.length).map((axis) => torchShape[axis]);
}

/** Reorders row-major values from the PyTorch layout to the TF.js layout. */
export function torchToTf<T extends Float32Array | Int32Array>(
  kind: TorchLayoutKind,
  torchShape: readonly number[],
  values: T,
): T {
  return permute(values, torchShape, torchToTfPermutation(kind, torchShape.length));
}

/** Reorders row-major values from the TF.js layout back to the PyTorch layout. */
export function tfToTorch<T extends Float32Array | Int32Array>(
  kind: TorchLayoutKind,
  torchShape: readonly number[],
  values: T,
): T {
  const forward = torchToTfPermutation(kind, torchShape.length);
  const inverse = new Array<number>(forward.length);
  forward.forEach((axis, i) => (inverse[axis] = i));
  return permute(values, tfShapeOf(kind, torchShape), inverse);
}

/** out[...] with out.shape[i] = shape[perm[i]], like numpy.transpose(values, perm). */
function permute<T extends Float32Array | Int32Array>(values: T, shape: readonly number[], perm: readonly number[]): T {
  if (perm.every((axis, i) => axis === i)) return values.slice() as T;
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = stride;
    stride *= shape[i];
  }
  const outShape = perm.map((axis) => shape[axis]);
  const strideOfOutAxis = perm.map((axis) => inStrides[axis]);
  const out = new (values.constructor as new (n: number) => T)(values.length);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = values[source];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      source += strideOfOutAxis[d];
      if (index[d] < outShape[d]) break;
      source -= strideOfOutAxis[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}
