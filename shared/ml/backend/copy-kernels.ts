import * as tf from '@tensorflow/tfjs-core';
import { type BackendBuffers, backendBuffers, type CpuValues, cpuValues, type InPlaceBackend } from './backend-buffers.ts';
import { type KernelArgs, type KernelOverride, KernelOverrides } from './kernel-overrides.ts';
import { denseStrides, forEachRow, mergeDimensions, type StridedLayout } from './strided-walk.ts';

/** Rows shorter than this are copied element by element: a typed-array `set` per row costs more than the copy. */
const SHORT_ROW = 64;

/**
 * Slice, SplitV, Reverse, Transpose and PadV2 (constant padding, the gradient of a slice) for
 * the cpu backend on float32 tensors, as strided row copies. The backend's own versions
 * visit every element through indexToLoc; a U-Net's skip
 * concatenation (whose gradient is SplitV over channels) and reflection padding (slice,
 * reverse, concat) made them most of a DAE training step. A contiguous slice, which the
 * backend already answers with a view, and other dtypes go to the backend's kernels.
 */
export const CPU_COPY_KERNELS = new KernelOverrides([
  [tf.Slice, sliceOn('cpu')],
  [tf.SplitV, splitVOn('cpu')],
  [tf.Reverse, reverse],
  [tf.Transpose, transpose],
  [tf.PadV2, pad],
]);

/**
 * Slice, SplitV and Concat for the wasm backend on float32 tensors. Its own versions copy one
 * innermost row at a time with a typed-array `set`, so a slice or concatenation over the
 * channel axis makes one call per pixel: MorphAEus' deformer concatenates its feature maps
 * over channels, and these three kernels took a fifth of its training step.
 */
export const WASM_COPY_KERNELS = new KernelOverrides([
  [tf.Slice, sliceOn('wasm')],
  [tf.SplitV, splitVOn('wasm')],
  [tf.Concat, concatOn('wasm')],
]);

/** A tensor's values for reading: on cpu whatever array it holds (see cpuValues), on wasm its float32 heap view. */
function readable(backendName: InPlaceBackend, backend: object, x: tf.TensorInfo): CpuValues {
  return backendName === 'cpu' ? cpuValues(backend, x) : backendBuffers(backendName, backend).values(x);
}

function sliceOn(backendName: InPlaceBackend): KernelOverride {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    if (x.dtype !== 'float32') return undefined;
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    if (tf.slice_util.isSliceContinous(x.shape, start, extent)) return undefined;
    return copyRegion(backendName, backend, x, start, extent, []);
  };
}

function splitVOn(backendName: InPlaceBackend): KernelOverride {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
    if (x.dtype !== 'float32') return undefined;
    const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, splitAxis);
    const start = new Array<number>(x.shape.length).fill(0);
    return sizes.map((pieceSize) => {
      const extent = [...x.shape];
      extent[splitAxis] = pieceSize;
      const piece = copyRegion(backendName, backend, x, [...start], extent, []);
      start[splitAxis] += pieceSize;
      return piece;
    });
  };
}

/** Each input written into its own stretch of the output along the axis; empty inputs take none. */
function concatOn(backendName: InPlaceBackend): KernelOverride {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const pieces = (Array.isArray(inputs) ? inputs : Object.values(inputs)) as tf.TensorInfo[];
    if (pieces.length < 2 || pieces.some((piece) => piece.dtype !== 'float32')) return undefined;
    const { axis } = attrs as unknown as tf.ConcatAttrs;
    const concatAxis = tf.util.parseAxisParam(axis, pieces[0].shape)[0];
    const shape = tf.backend_util.computeOutShape(pieces.map((piece) => piece.shape), concatAxis);
    const buffers = backendBuffers(backendName, backend);
    const out = buffers.output(shape);
    const outStrides = denseStrides(shape);
    const to = buffers.values(out);
    let start = 0;
    for (const piece of pieces) {
      if (tf.util.sizeFromShape(piece.shape) > 0) {
        const layout = mergeDimensions(piece.shape, [outStrides, denseStrides(piece.shape)]);
        copyRows(layout, [start * outStrides[concatAxis], 0], to, readable(backendName, backend, piece));
      }
      start += piece.shape[concatAxis];
    }
    return out;
  };
}

function reverse({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { dims } = attrs as unknown as tf.ReverseAttrs;
  if (x.dtype !== 'float32' || x.shape.length === 0) return undefined;
  const reversed = tf.util.parseAxisParam(dims, x.shape);
  return copyRegion('cpu', backend, x, new Array<number>(x.shape.length).fill(0), [...x.shape], reversed);
}

function transpose({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { perm } = attrs as unknown as tf.TransposeAttrs;
  if (x.dtype !== 'float32') return undefined;
  const xStrides = denseStrides(x.shape);
  const shape = perm.map((axis) => x.shape[axis]);
  return copyStrided('cpu', backend, x, shape, perm.map((axis) => xStrides[axis]), 0);
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
function copyRegion(backendName: InPlaceBackend, backend: object, x: tf.TensorInfo, start: number[], extent: number[], reversed: number[]): tf.TensorInfo {
  const xStrides = denseStrides(x.shape);
  let base = 0;
  const readStrides = xStrides.map((stride, d) => {
    const backwards = reversed.includes(d);
    base += (backwards ? start[d] + extent[d] - 1 : start[d]) * stride;
    return backwards ? -stride : stride;
  });
  return copyStrided(backendName, backend, x, extent, readStrides, base);
}

/** A new dense tensor of `shape` whose element at each index is x's at `base` plus the index times `readStrides`. */
function copyStrided(backendName: InPlaceBackend, backend: object, x: tf.TensorInfo, shape: number[], readStrides: number[], base: number): tf.TensorInfo {
  const buffers: BackendBuffers = backendBuffers(backendName, backend);
  const out = buffers.output(shape);
  copyRows(mergeDimensions(shape, [denseStrides(shape), readStrides]), [0, base], buffers.values(out), readable(backendName, backend, x));
  return out;
}

/** to[...] = from[...] over every row of a two-operand layout (operand 0 writes, operand 1 reads). */
function copyRows(layout: StridedLayout, base: number[], to: Float32Array, from: CpuValues): void {
  const length = layout.shape[layout.shape.length - 1];
  const [toStep, fromStep] = layout.strides.map((strides) => strides[strides.length - 1]);
  forEachRow(layout, base, ([toOffset, fromOffset]) => {
    if (fromStep === 1 && toStep === 1 && length >= SHORT_ROW) {
      to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
      return;
    }
    for (let i = 0; i < length; i++) to[toOffset + i * toStep] = from[fromOffset + i * fromStep];
  });
}
