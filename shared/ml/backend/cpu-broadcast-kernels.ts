import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, cpuValues } from './backend-buffers.ts';
import { type KernelArgs, type KernelOverride, KernelOverrides } from './kernel-overrides.ts';
import { denseStrides, forEachRow, mergeDimensions } from './strided-walk.ts';

/**
 * Broadcasting binary ops (x[N,H,W,C] ∘ bias[C], a batch of scalars, …) and Sum over outer
 * axes (bias and normalisation gradients) for the cpu backend on float32 tensors, as flat
 * loops over merged rows. The backend's own versions decode every element's coordinates, or
 * transpose first for an outer-axis sum. Each value is computed as the backend computes it
 * (the same JavaScript arithmetic, a sum in float64 in the same order), so the results are
 * identical. Same-shape operands take the same path (one merged row), which also spares the
 * backend's per-element modulo. Other dtypes go to the backend's kernels.
 */
type BinaryOp = (a: number, b: number) => number;

const BINARY_OPS: ReadonlyArray<readonly [string, BinaryOp]> = [
  [tf.Add, (a, b) => a + b],
  [tf.Sub, (a, b) => a - b],
  [tf.Multiply, (a, b) => a * b],
  [tf.RealDiv, (a, b) => a / b],
  [tf.Maximum, (a, b) => Math.max(a, b)],
  [tf.Minimum, (a, b) => Math.min(a, b)],
  [tf.SquaredDifference, (a, b) => (a - b) * (a - b)],
];

export const CPU_BROADCAST_KERNELS = new KernelOverrides([
  ...BINARY_OPS.map(([name, op]) => [name, broadcastBinary(op)] as const),
  [tf.Sum, sumOverOuterAxes],
]);

function broadcastBinary(op: BinaryOp): KernelOverride {
  return ({ inputs, backend }: KernelArgs) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const layout = mergeDimensions(shape, [denseStrides(shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
    const buffers = backendBuffers('cpu', backend);
    const out = buffers.output(shape);
    const [result, aValues, bValues] = [buffers.values(out), cpuValues(backend, a), cpuValues(backend, b)];
    const length = layout.shape[layout.shape.length - 1];
    const [, aStep, bStep] = layout.strides.map((strides) => strides[strides.length - 1]);
    forEachRow(layout, [0, 0, 0], ([at, aAt, bAt]) => {
      for (let i = 0; i < length; i++) result[at + i] = op(aValues[aAt + i * aStep], bValues[bAt + i * bStep]);
    });
    return out;
  };
}

/** Strides of an operand of `shape` read over the broadcast `outShape`: 0 along its broadcast axes. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = denseStrides(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((_, d) => (d < lead || shape[d - lead] === 1 ? 0 : own[d - lead]));
}

function sumOverOuterAxes({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  if (x.dtype !== 'float32') return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  // Innermost axes the backend already sums in one flat loop.
  if (tf.backend_util.getAxesPermutation(axes, x.shape.length) === null) return undefined;
  const keptShape = x.shape.map((size, d) => (axes.includes(d) ? 1 : size));
  const keptStrides = denseStrides(keptShape).map((stride, d) => (axes.includes(d) ? 0 : stride));
  const layout = mergeDimensions(x.shape, [denseStrides(x.shape), keptStrides]);
  const buffers = backendBuffers('cpu', backend);
  const values = cpuValues(backend, x);
  const totals = new Float64Array(tf.util.sizeFromShape(keptShape));
  const length = layout.shape[layout.shape.length - 1];
  const totalStep = layout.strides[1][layout.strides[1].length - 1];
  // Row-major order visits each output's terms in the order the backend adds them.
  forEachRow(layout, [0, 0], ([at, totalAt]) => {
    for (let i = 0; i < length; i++) totals[totalAt + i * totalStep] += values[at + i];
  });
  const out = buffers.output(keepDims ? keptShape : x.shape.filter((_, d) => !axes.includes(d)));
  buffers.values(out).set(totals);
  return out;
}
