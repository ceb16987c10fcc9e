import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, cpuBoolOutput, type CpuValues, cpuValues } from './backend-buffers.ts';
import { type KernelArgs, type KernelOverride, KernelOverrides } from './kernel-overrides.ts';
import { denseStrides, forEachRow, mergeDimensions } from './strided-walk.ts';

/**
 * One output row of a binary op: result[at + i] = a[aAt + i·aStep] ∘ b[bAt + i·bStep]. One
 * function per op rather than one loop calling an op closure, so that each loop stays
 * monomorphic and V8 inlines its arithmetic.
 */
type BinaryRow = (result: Float32Array | Uint8Array, a: CpuValues, b: CpuValues, length: number, at: number, aAt: number, aStep: number, bAt: number, bStep: number) => void;

type OutputDtype = 'float32' | 'bool';

/** Each op with its output row and, for a comparison, the bool output dtype. */
const BINARY_OPS: ReadonlyArray<readonly [string, BinaryRow, OutputDtype?]> = [
  [tf.Add, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = a[ai + i * as] + b[bi + i * bs]; }],
  [tf.Sub, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = a[ai + i * as] - b[bi + i * bs]; }],
  [tf.Multiply, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = a[ai + i * as] * b[bi + i * bs]; }],
  [tf.RealDiv, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = a[ai + i * as] / b[bi + i * bs]; }],
  [tf.Maximum, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = Math.max(a[ai + i * as], b[bi + i * bs]); }],
  [tf.Minimum, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = Math.min(a[ai + i * as], b[bi + i * bs]); }],
  [tf.Greater, (r, a, b, n, at, ai, as, bi, bs) => { for (let i = 0; i < n; i++) r[at + i] = a[ai + i * as] > b[bi + i * bs] ? 1 : 0; }, 'bool'],
  [tf.SquaredDifference, (r, a, b, n, at, ai, as, bi, bs) => {
    for (let i = 0; i < n; i++) {
      const difference = a[ai + i * as] - b[bi + i * bs];
      r[at + i] = difference * difference;
    }
  }],
];

/**
 * Broadcasting binary ops (x[N,H,W,C] ∘ bias[C], a batch of scalars, …; Greater, whose bool
 * output the leaky ReLU gradient selects with), Sum over outer
 * axes (bias and normalisation gradients) and Mean for the cpu backend on float32
 * tensors, as flat loops over merged rows. The backend's own versions decode every element's coordinates, or
 * transpose first for an outer-axis sum. Each value is computed as the backend computes it
 * (the same JavaScript arithmetic, a sum in float64 in the same order), so the results are
 * identical. Same-shape operands take the same path (one merged row), which also spares the
 * backend's per-element modulo. Other dtypes go to the backend's kernels.
 */
export const CPU_BROADCAST_KERNELS = new KernelOverrides([
  ...BINARY_OPS.map(([name, row, dtype]) => [name, broadcastBinary(row, dtype ?? 'float32')] as const),
  [tf.Sum, sumOverOuterAxes],
  [tf.Mean, mean],
]);

function broadcastBinary(row: BinaryRow, dtype: OutputDtype): KernelOverride {
  return ({ inputs, backend }: KernelArgs) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const layout = mergeDimensions(shape, [denseStrides(shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
    const { info: out, values: result } = output(backend, shape, dtype);
    const [aValues, bValues] = [cpuValues(backend, a), cpuValues(backend, b)];
    const length = layout.shape[layout.shape.length - 1];
    const [, aStep, bStep] = layout.strides.map((strides) => strides[strides.length - 1]);
    forEachRow(layout, [0, 0, 0], ([at, aAt, bAt]) => row(result, aValues, bValues, length, at, aAt, aStep, bAt, bStep));
    return out;
  };
}

/** A new output tensor of the binary op (a comparison gives bool) and its values. */
function output(backend: object, shape: number[], dtype: OutputDtype): { info: tf.TensorInfo; values: Float32Array | Uint8Array } {
  if (dtype === 'bool') return cpuBoolOutput(backend, shape);
  const buffers = backendBuffers('cpu', backend);
  const info = buffers.output(shape);
  return { info, values: buffers.values(info) };
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
  return reduceSum(backend, x, axes, keepDims, 1);
}

/** The backend's Mean divides every element by the count (into float32), then sums the quotients. */
function mean({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { x } = inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = attrs as unknown as tf.MeanAttrs;
  if (x.dtype !== 'float32') return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const count = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
  return reduceSum(backend, x, axes, keepDims, Math.fround(count));
}

/** Σ over `axes` of x / divisor, each quotient rounded to float32 (none when the divisor is 1), summed in float64. */
function reduceSum(backend: object, x: tf.TensorInfo, axes: number[], keepDims: boolean, divisor: number): tf.TensorInfo {
  const keptShape = x.shape.map((size, d) => (axes.includes(d) ? 1 : size));
  const keptStrides = denseStrides(keptShape).map((stride, d) => (axes.includes(d) ? 0 : stride));
  const layout = mergeDimensions(x.shape, [denseStrides(x.shape), keptStrides]);
  const values = cpuValues(backend, x);
  const totals = new Float64Array(tf.util.sizeFromShape(keptShape));
  const length = layout.shape[layout.shape.length - 1];
  const totalStep = layout.strides[1][layout.strides[1].length - 1];
  // Row-major order visits each output's terms in the order the backend adds them.
  forEachRow(layout, [0, 0], ([at, totalAt]) => {
    if (divisor === 1) {
      for (let i = 0; i < length; i++) totals[totalAt + i * totalStep] += values[at + i];
    } else {
      for (let i = 0; i < length; i++) totals[totalAt + i * totalStep] += Math.fround(values[at + i] / divisor);
    }
  });
  const buffers = backendBuffers('cpu', backend);
  const out = buffers.output(keepDims ? keptShape : x.shape.filter((_, d) => !axes.includes(d)));
  buffers.values(out).set(totals);
  return out;
}
