import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, cpuValues } from './backend-buffers.ts';
import { type KernelArgs, KernelOverrides } from './kernel-overrides.ts';
import { denseStrides, forEachRow, mergeDimensions } from './strided-walk.ts';

/**
 * Slice, SplitV and Reverse for the cpu backend on float32 tensors, as strided row copies.
 * The backend's own versions visit every element through indexToLoc; a U-Net's skip
 * concatenation (whose gradient is SplitV over channels) and reflection padding (slice,
 * reverse, concat) made them most of a DAE training step. A contiguous slice, which the
 * backend already answers with a view, and other dtypes go to the backend's kernels.
 */
export const CPU_COPY_KERNELS = new KernelOverrides([
  [tf.Slice, slice],
  [tf.SplitV, splitV],
  [tf.Reverse, reverse],
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

/** A new tensor of `extent` read from x at `start`, with the `reversed` axes read backwards. */
function copyRegion(backend: object, x: tf.TensorInfo, start: number[], extent: number[], reversed: number[]): tf.TensorInfo {
  const xStrides = denseStrides(x.shape);
  let base = 0;
  const readStrides = xStrides.map((stride, d) => {
    const backwards = reversed.includes(d);
    base += (backwards ? start[d] + extent[d] - 1 : start[d]) * stride;
    return backwards ? -stride : stride;
  });
  const layout = mergeDimensions(extent, [denseStrides(extent), readStrides]);
  const buffers = backendBuffers('cpu', backend);
  const out = buffers.output(extent);
  const [to, from] = [buffers.values(out), cpuValues(backend, x)];
  const length = layout.shape[layout.shape.length - 1];
  const [toStep, fromStep] = layout.strides.map((strides) => strides[strides.length - 1]);
  forEachRow(layout, [0, base], ([toOffset, fromOffset]) => {
    if (fromStep === 1 && toStep === 1) {
      to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
      return;
    }
    for (let i = 0; i < length; i++) to[toOffset + i * toStep] = from[fromOffset + i * fromStep];
  });
  return out;
}
