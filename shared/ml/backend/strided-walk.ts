/**
 * Walks row-major index space once for several arrays at a time, each with its own stride
 * per dimension (0 where an operand is broadcast or reduced, negative where it is read
 * backwards). The cpu backend's generic Slice, Reverse, broadcast binary ops and Sum over
 * outer axes decode every element's coordinates (indexToLoc) and allocate per element; our
 * kernels (copy-kernels.ts, cpu-broadcast-kernels.ts) instead merge the dimensions where
 * every operand steps alike and run a flat loop per innermost row.
 */
export interface StridedLayout {
  /** Merged dimensions, at least one. */
  shape: number[];
  /** strides[operand][dimension] in elements. */
  strides: number[][];
}

/** Row-major strides of a dense array of `shape`. */
export function denseStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

/**
 * Drops size-1 dimensions and merges a dimension into the next one wherever every operand's
 * stride allows it, so that a bias add over [N, H, W, C] becomes [N·H·W, C].
 */
export function mergeDimensions(shape: readonly number[], strides: readonly (readonly number[])[]): StridedLayout {
  const kept = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  const merged: StridedLayout = { shape: [], strides: strides.map(() => []) };
  for (const d of kept) {
    const last = merged.shape.length - 1;
    const joins = last >= 0 && strides.every((s, k) => merged.strides[k][last] === s[d] * shape[d]);
    if (joins) {
      merged.shape[last] *= shape[d];
      strides.forEach((s, k) => (merged.strides[k][last] = s[d]));
    } else {
      merged.shape.push(shape[d]);
      strides.forEach((s, k) => merged.strides[k].push(s[d]));
    }
  }
  if (merged.shape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return merged;
}

/**
 * Calls `visitRow(offsets)` for every innermost row of `layout`, in row-major order, with each
 * operand's element offset at the row's start (`base` plus the strides walked so far). The
 * row has `layout.shape.at(-1)` elements. `offsets` is reused between calls.
 */
export function forEachRow(layout: StridedLayout, base: readonly number[], visitRow: (offsets: number[]) => void): void {
  const { shape, strides } = layout;
  const outer = shape.length - 1;
  const offsets = [...base];
  const index = new Array<number>(outer).fill(0);
  let rows = 1;
  for (let d = 0; d < outer; d++) rows *= shape[d];
  for (let row = 0; row < rows; row++) {
    visitRow(offsets);
    for (let d = outer - 1; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
      if (index[d] < shape[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * shape[d];
      index[d] = 0;
    }
  }
}
