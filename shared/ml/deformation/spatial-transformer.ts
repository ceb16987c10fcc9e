/*
 * Conventions (voxelmorph's SpatialTransformer as MorphAEus runs it, docs/models.md §3.5, §17.7):
 * - Layout NHWC. `src` is [B, H, W, C]; `flow` is [B, H, W, 2] with channel 0 the
 *   displacement along rows (y, H) and channel 1 along columns (x, W), in pixels.
 * - Backward ("pull") warping: out(b, i, j) = bilinear(src[b], y = i + flow0, x = j + flow1).
 *   This is PyTorch `grid_sample(mode='bilinear', padding_mode='zeros', align_corners=True)`
 *   on the identity grid plus flow; with align_corners the [-1, 1] normalisation cancels,
 *   so positions are used in pixels directly.
 * - Boundary: each of the 4 neighbours floor(y)+{0,1} × floor(x)+{0,1} that lies outside
 *   [0, H-1] × [0, W-1] contributes 0 (per-corner zero padding); the in-bounds ones keep
 *   their ordinary bilinear weights, so a sample half a pixel past the border is half
 *   the border value.
 * - Gradients flow to src and to flow. At integer positions the cell is the one that
 *   starts there (floor), so d/dflow is the forward difference, as in PyTorch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_WARP, fusedWarp } from './bilinear-warp-kernels.ts';

/**
 * Warps `src` [B, H, W, C] by the displacement field `flow` [B, H, W, 2] (conventions at
 * the top of this file). On a backend with the fused kernels of bilinear-warp-kernels.ts
 * (cpu and wasm, installed by selectBackend) it runs those; elsewhere generic ops.
 *
 * The generic gradient is written by hand: autodiff through `tf.gather` would need
 * `UnsortedSegmentSum`, which the wasm backend lacks and the pure-JS backend runs in
 * time quadratic in the size; `scatterND` is linear and exists on both.
 */
export function warp(src: tf.Tensor4D, flow: tf.Tensor4D): tf.Tensor4D {
  checkShapes(src, flow);
  return FUSED_WARP.available() ? fusedWarp(src, flow) : bilinearWarp(src, flow);
}

// Inside, tensors are channel-major ([C, P] with P = B·H·W pixels) so that every per-pixel
// factor ([P]) broadcasts along leading axes only, the pure-JS backend's fast path.
const bilinearWarp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [src, flow, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  const [batch, height, width, channels] = src.shape;
  const pixels = batch * height * width;

  const { scatterIndices, weights, values, fy, fx, out } = tf.tidy(() => {
    const grid = identityGrid(batch, height, width);
    const [dy, dx] = tf.unstack(tf.transpose(tf.reshape(flow, [pixels, 2])));
    const y = tf.add(grid.rows, dy);
    const x = tf.add(grid.cols, dx);
    const y0 = tf.floor(y);
    const x0 = tf.floor(x);
    const y1 = tf.add(y0, 1);
    const x1 = tf.add(x0, 1);
    const fy = tf.sub(y, y0);
    const fx = tf.sub(x, x0);
    const gy = tf.sub(1, fy);
    const gx = tf.sub(1, fx);

    const inside = (c: tf.Tensor, size: number) =>
      tf.cast(tf.logicalAnd(tf.greaterEqual(c, 0), tf.lessEqual(c, size - 1)), 'float32');
    const clamped = (c: tf.Tensor, size: number) => tf.cast(tf.clipByValue(c, 0, size - 1), 'int32');
    const rowStart = (r: tf.Tensor) => tf.add(grid.imageStart, tf.mul(clamped(r, height), tf.scalar(width, 'int32')));
    const r0 = rowStart(y0);
    const r1 = rowStart(y1);
    const c0 = clamped(x0, width);
    const c1 = clamped(x1, width);
    const [my0, my1, mx0, mx1] = [inside(y0, height), inside(y1, height), inside(x0, width), inside(x1, width)];

    // Corners in the order 00, 01, 10, 11 (row offset, column offset).
    const corners = [
      { pixel: tf.add(r0, c0), mask: tf.mul(my0, mx0), bilinear: tf.mul(gy, gx) },
      { pixel: tf.add(r0, c1), mask: tf.mul(my0, mx1), bilinear: tf.mul(gy, fx) },
      { pixel: tf.add(r1, c0), mask: tf.mul(my1, mx0), bilinear: tf.mul(fy, gx) },
      { pixel: tf.add(r1, c1), mask: tf.mul(my1, mx1), bilinear: tf.mul(fy, fx) },
    ];
    const srcFlat = tf.reshape(channelsFirst(tf.reshape(src, [pixels, channels])), [channels * pixels]);
    const cornerIndices = corners.map(({ pixel }) =>
      tf.concat(Array.from({ length: channels }, (_, c) => tf.add(pixel, tf.scalar(c * pixels, 'int32')))),
    );
    const cornerValues = corners.map(({ mask }, k) =>
      tf.mul(tf.reshape(tf.gather(srcFlat, cornerIndices[k]), [channels, pixels]), mask),
    );
    const out = tf.addN(corners.map(({ bilinear }, k) => tf.mul(cornerValues[k], bilinear)));
    return {
      scatterIndices: tf.reshape(tf.concat(cornerIndices), [4 * channels * pixels, 1]),
      weights: tf.stack(corners.map(({ mask, bilinear }) => tf.mul(mask, bilinear))),
      values: tf.stack(cornerValues),
      fy,
      fx,
      out,
    };
  });

  const value: tf.Tensor4D = tf.reshape(channelsLast(out), [batch, height, width, channels]);
  save([scatterIndices, weights, values, fy, fx]);

  const gradFunc = (upstream: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [indices, w, v, fy, fx] = saved;
    const dOut = channelsFirst(tf.reshape(upstream, [pixels, channels]));
    const updates = tf.concat(tf.unstack(w).map((wk) => tf.mul(dOut, wk)));
    const dSrc = tf.scatterND(indices, tf.reshape(updates, [4 * channels * pixels]), [channels * pixels]);
    const [v00, v01, v10, v11] = tf.unstack(v);
    const alongY = tf.add(tf.mul(tf.sub(v10, v00), tf.sub(1, fx)), tf.mul(tf.sub(v11, v01), fx));
    const alongX = tf.add(tf.mul(tf.sub(v01, v00), tf.sub(1, fy)), tf.mul(tf.sub(v11, v10), fy));
    const dFlow = tf.stack([sumChannels(tf.mul(alongY, dOut)), sumChannels(tf.mul(alongX, dOut))]);
    return [
      tf.reshape(channelsLast(tf.reshape(dSrc, [channels, pixels])), [batch, height, width, channels]),
      tf.reshape(channelsLast(dFlow), [batch, height, width, 2]),
    ];
  };
  return { value, gradFunc };
});

/** Per pixel p of a [B, H, W] grid: its row and column (float) and the flat index of its image's first pixel. */
function identityGrid(batch: number, height: number, width: number) {
  const pixels = batch * height * width;
  const rows = new Float32Array(pixels);
  const cols = new Float32Array(pixels);
  const imageStart = new Int32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const inImage = p % (height * width);
    rows[p] = Math.floor(inImage / width);
    cols[p] = inImage % width;
    imageStart[p] = p - inImage;
  }
  return { rows: tf.tensor1d(rows), cols: tf.tensor1d(cols), imageStart: tf.tensor1d(imageStart, 'int32') };
}

/** [P, C] → [C, P]; a single channel only needs a reshape, which copies nothing. */
function channelsFirst(x: tf.Tensor): tf.Tensor {
  const [pixels, channels] = x.shape as [number, number];
  return channels === 1 ? tf.reshape(x, [1, pixels]) : tf.transpose(x);
}

/** [C, P] → [P, C]. */
function channelsLast(x: tf.Tensor): tf.Tensor {
  const [channels, pixels] = x.shape as [number, number];
  return channels === 1 ? tf.reshape(x, [pixels, 1]) : tf.transpose(x);
}

/** [C, P] → [P], summing the channels without a transposing reduction. */
function sumChannels(x: tf.Tensor): tf.Tensor {
  const [channels, pixels] = x.shape as [number, number];
  return channels === 1 ? tf.reshape(x, [pixels]) : tf.addN(tf.unstack(x));
}

function checkShapes(src: tf.Tensor4D, flow: tf.Tensor4D): void {
  if (src.rank !== 4) throw new Error(`warp: src must be [B, H, W, C], got shape [${src.shape.join(', ')}]`);
  if (flow.rank !== 4 || flow.shape[3] !== 2) {
    throw new Error(`warp: flow must be [B, H, W, 2] (Δrow, Δcol), got shape [${flow.shape.join(', ')}]`);
  }
  const [b, h, w] = src.shape;
  if (flow.shape[0] !== b || flow.shape[1] !== h || flow.shape[2] !== w) {
    throw new Error(
      `warp: flow [${flow.shape.join(', ')}] must match src [${src.shape.join(', ')}] in batch, height and width`,
    );
  }
  if (src.dtype !== 'float32' || flow.dtype !== 'float32') {
    throw new Error(`warp: src and flow must be float32, got ${src.dtype} and ${flow.dtype}`);
  }
}
