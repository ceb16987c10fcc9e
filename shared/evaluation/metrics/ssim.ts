import { assertImagePair } from './image-pair.ts';

/** Side of the square window (skimage's default `win_size`). */
const WINDOW = 7;
/** Pixels in a window, NP in skimage. */
const WINDOW_PIXELS = WINDOW * WINDOW;
/** Unbiased (sample) covariance: skimage's `use_sample_covariance=True`, NP / (NP − 1). */
const COVARIANCE_NORM = WINDOW_PIXELS / (WINDOW_PIXELS - 1);
/** (K1·L)² and (K2·L)² with K1 = 0.01, K2 = 0.03 and data range L = 1. */
const C1 = (0.01 * 1) ** 2;
const C2 = (0.03 * 1) ** 2;

/**
 * Mean structural similarity of two single-channel `height`×`width` images (row-major),
 * exactly as the official evaluation calls skimage:
 * `structural_similarity(a, b, data_range=1)`, i.e. a 7×7 uniform window
 * (gaussian_weights=False), sample covariance (NP/(NP−1) = 49/48), K1 = 0.01, K2 = 0.03.
 *
 * skimage filters the whole image (reflect padding) and then averages the SSIM map over
 * the region cropped by (7 − 1)/2 = 3 pixels on every side; there every window lies
 * inside the image, so the padding never matters and this computes only those
 * (height − 6)·(width − 6) windows, with separable 7-pixel sums. Per window:
 *   μx, μy = window means;  σx² = 49/48·(mean(x²) − μx²);  σxy = 49/48·(mean(xy) − μxμy)
 *   S = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)).
 * Computed in float64, which matches skimage on float64 inputs to ~1e-14. skimage keeps
 * float32 inputs (the official arrays) in float32 while filtering; on a 128² pair that
 * moved its result by ~3e-10.
 * Both sides must be at least 7 pixels (skimage: "win_size exceeds image extent").
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number): number {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < WINDOW || width < WINDOW) {
    throw new Error(`ssim: images must be at least ${WINDOW}×${WINDOW} (the SSIM window), got ${height}×${width}`);
  }
  if (a.length !== height * width) {
    throw new Error(`ssim: first image has ${a.length} values, expected ${height}×${width} = ${height * width}`);
  }
  assertImagePair('ssim', a, b);
  const columns = width - WINDOW + 1;
  const rows = height - WINDOW + 1;
  // Sums over 7 consecutive pixels of each row, for x, y, x², y², xy.
  const rowSums = Array.from({ length: 5 }, () => new Float64Array(height * columns));
  const [sx, sy, sxx, syy, sxy] = rowSums;
  for (let r = 0; r < height; r += 1) {
    for (let c = 0; c < columns; c += 1) {
      let x = 0;
      let y = 0;
      let xx = 0;
      let yy = 0;
      let xy = 0;
      for (let j = 0; j < WINDOW; j += 1) {
        const p = a[r * width + c + j];
        const q = b[r * width + c + j];
        x += p;
        y += q;
        xx += p * p;
        yy += q * q;
        xy += p * q;
      }
      const o = r * columns + c;
      sx[o] = x;
      sy[o] = y;
      sxx[o] = xx;
      syy[o] = yy;
      sxy[o] = xy;
    }
  }
  let total = 0;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < columns; c += 1) {
      let x = 0;
      let y = 0;
      let xx = 0;
      let yy = 0;
      let xy = 0;
      for (let i = 0; i < WINDOW; i += 1) {
        const o = (r + i) * columns + c;
        x += sx[o];
        y += sy[o];
        xx += sxx[o];
        yy += syy[o];
        xy += sxy[o];
      }
      const ux = x / WINDOW_PIXELS;
      const uy = y / WINDOW_PIXELS;
      const vx = COVARIANCE_NORM * (xx / WINDOW_PIXELS - ux * ux);
      const vy = COVARIANCE_NORM * (yy / WINDOW_PIXELS - uy * uy);
      const vxy = COVARIANCE_NORM * (xy / WINDOW_PIXELS - ux * uy);
      total += ((2 * ux * uy + C1) * (2 * vxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
    }
  }
  return total / (rows * columns);
}
