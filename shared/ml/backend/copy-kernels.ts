import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, type CpuValues, cpuValues } from './backend-buffers.ts';
import { type KernelArgs, KernelOverrides } from './kernel-overrides.ts';
import { denseStrides, forEachRow, mergeDimensions, type StridedLayout } from './strided-walk.ts';

/**
 * Slice, SplitV, Reverse, Transpose and PadV2 (constant padding, the gradient of a slice) for
 * the cpu backend on float32 tensors, as strided row copies. The backend's own versions
 * visit every element through indexToLoc; a U-Net's skip
 * concatenation (whose gradient is SplitV over channels) and reflection padding (slice,
 * reverse, concat) made them most of a DAE training step. A contiguous slice, which the
 * backend already answers with a view, and other dtypes go to the backend's kernels.
 */
export const CPU_COPY_KERNELS = new KernelOverrides([
  [tf.Slice, slice],
  [tf.SplitV, splitV],
  [tf.Reverse, reverse],
  [tf.Transpose, transpose],
  [tf.PadV2, pad],
]);

function slice({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  if (x.dtype !== 'float32') return undefined;
  const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  if (tf.slice_util.isSliceContinous(x.shape, start, extent)) return undefined;
  return copyRegion(backend, x, start, extent, []);
}

function splitV({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
  if (x.dtype !== 'float32') return undefined;
  const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, splitAxis);
  const start = new Array<number>(x.shape.length).fill(0);
  return sizes.map((pieceSize) => {
    const extent = [...x.shape];
    extent[splitAxis] = pieceSize;
    const piece = copyRegion(backend, x, [...start], extent, []);
    start[splitAxis] += pieceSize;
    return piece;
  });
}

function reverse({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { dims } = attrs as unknown as tf.ReverseAttrs;
  if (x.dtype !== 'float32' || x.shape.length === 0) return undefined;
  const reversed = tf.util.parseAxisParam(dims, x.shape);
  return copyRegion(backend, x, new Array<number>(x.shape.length).fill(0), [...x.shape], reversed);
}

function transpose({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { perm } = attrs as unknown as tf.TransposeAttrs;
  if (x.dtype !== 'float32') return undefined;
  const xStrides = denseStrides(x.shape);
  const shape = perm.map((axis) => x.shape[axis]);
  return copyStrided(backend, x, shape, perm.map((axis) => xStrides[axis]), 0);
}

function pad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { paddings, constantValue } = attrs as unknown as tf.PadV2Attrs;
  if (x.dtype !== 'float32') return undefined;
  const buffers = backendBuffers('cpu', backend);
  const shape = x.shape.map((size, d) => paddings[d][0] + size + paddings[d][1]);
  const out = buffers.output(shape);
  const outStrides = denseStrides(shape);
  const to = buffers.values(out);
  if (constantValue !== 0) to.fill(constantValue);
  const start = paddings.reduce((offset, [before], d) => offset + before * outStrides[d], 0);
  const layout = mergeDimensions(x.shape, [outStrides, denseStrides(x.shape)]);
  copyRows(layout, [start, 0], to, cpuValues(backend, x));
  return out;
}

/** A new tensor of `extent` read from x at `start`, with the `reversed` axes read backwards. */
function copyRegion(backend: object, x: tf.TensorInfo, start: number[], extent: number[], reversed: number[]): tf.TensorInfo {
  const xStrides = denseStrides(x.shape);
  let base = 0;
  const readStrides = xStrides.map((stride, d) => {
    const backwards = reversed.includes(d);
    base += (backwards ? start[d] + extent[d] - 1 : start[d]) * stride;
    return backwards ? -stride : stride;
  });
  return copyStrided(backend, x, extent, readStrides, base);
}

/** A new dense tensor of `shape` whose element at each index is x's at `base` plus the index times `readStrides`. */
function copyStrided(backend: object, x: tf.TensorInfo, shape: number[], readStrides: number[], base: number): tf.TensorInfo {
  const buffers = backendBuffers('cpu', backend);
  const out = buffers.output(shape);
  copyRows(mergeDimensions(shape, [denseStrides(shape), readStrides]), [0, base], buffers.values(out), cpuValues(backend, x));
  return out;
}

/** to[...] = from[...] over every row of a two-operand layout (operand 0 writes, operand 1 reads). */
function copyRows(layout: StridedLayout, base: number[], to: Float32Array, from: CpuValues): void {
  const length = layout.shape[layout.shape.length - 1];
  const [toStep, fromStep] = layout.strides.map((strides) => strides[strides.length - 1]);
  forEachRow(layout, base, ([toOffset, fromOffset]) => {
    if (fromStep === 1 && toStep === 1) {
      to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
      return;
    }
    for (let i = 0; i < length; i++) to[toOffset + i * toStep] = from[fromOffset + i * fromStep];
  });
}
