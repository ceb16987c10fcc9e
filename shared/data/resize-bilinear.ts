/**
 * Bilinear resize of one channel, as PyTorch's `interpolate(mode='bilinear',
 * align_corners=False, antialias=False)` and torchvision's tensor `Resize` (the official
 * training path, docs/models.md §13.2 and §17.6):
 * - half-pixel centres: output pixel i samples the input at (i + 0.5) · in/out − 0.5;
 * - a sample position below 0 is clamped to 0, and the neighbour past the last row or
 *   column is the last one (edge replication);
 * - no antialias: shrinking reads only the two nearest rows and columns.
 */
export function resizeBilinear(
  source: Float32Array,
  from: readonly [number, number],
  to: readonly [number, number],
): Float32Array {
  const [inH, inW] = from;
  const [outH, outW] = to;
  if (source.length !== inH * inW) {
    throw new Error(`resizeBilinear: source has ${source.length} values, expected ${inH}×${inW} = ${inH * inW}`);
  }
  if (inH === outH && inW === outW) return source.slice();
  const rows = sampleGrid(inH, outH);
  const cols = sampleGrid(inW, outW);
  const out = new Float32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    const top = rows.low[i] * inW;
    const bottom = rows.high[i] * inW;
    const wy = rows.weight[i];
    for (let j = 0; j < outW; j++) {
      const left = cols.low[j];
      const right = cols.high[j];
      const wx = cols.weight[j];
      const upper = source[top + left] * (1 - wx) + source[top + right] * wx;
      const lower = source[bottom + left] * (1 - wx) + source[bottom + right] * wx;
      out[i * outW + j] = upper * (1 - wy) + lower * wy;
    }
  }
  return out;
}

/** For each output coordinate: the two input neighbours and the weight of the second. */
function sampleGrid(inSize: number, outSize: number): { low: Int32Array; high: Int32Array; weight: Float64Array } {
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const weight = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const position = Math.max(0, (o + 0.5) * scale - 0.5);
    const index = Math.floor(position);
    low[o] = index;
    high[o] = index < inSize - 1 ? index + 1 : index;
    weight[o] = position - index;
  }
  return { low, high, weight };
}
