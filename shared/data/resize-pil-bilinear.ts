/**
 * Bilinear resize of an 8-bit one-channel image as Pillow's `Image.resize(size,
 * Image.BILINEAR)` computes it (libImaging `ImagingResample`, the official downstream
 * path, docs/models.md §13.3):
 * - the filter is the triangle 1 − |x|; when shrinking by a factor s it is stretched to
 *   support s (that is the antialiasing), when enlarging its support stays 1, which
 *   makes it plain bilinear interpolation with half-pixel centres;
 * - output pixel o is centred on input coordinate (o + 0.5) · in/out; input pixel x is
 *   centred on x + 0.5; the window is [center − support, center + support] rounded to
 *   whole pixels and cut to the image, and its weights are divided by their sum, so the
 *   edges are renormalised rather than padded;
 * - weights become fixed-point integers with 22 fractional bits; each output value is
 *   the sum plus one half, shifted down and clamped to 0…255;
 * - separable: a horizontal pass to a uint8 image, then a vertical pass on it (an axis
 *   whose size does not change is skipped); an unchanged size returns a copy.
 */
export function resizePilBilinear(
  source: Uint8Array,
  from: readonly [number, number],
  to: readonly [number, number],
): Uint8Array {
  const [inH, inW] = from;
  const [outH, outW] = to;
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!value.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new Error(`resizePilBilinear: ${name} must be two positive integers [height, width], got [${value.join(', ')}]`);
    }
  }
  if (source.length !== inH * inW) {
    throw new Error(`resizePilBilinear: source has ${source.length} values, expected ${inH}×${inW} = ${inH * inW}`);
  }
  let image = source;
  if (outW !== inW) {
    // Along each of the inH rows: neighbouring inputs are 1 apart, rows inW (in) and outW (out).
    image = resamplePass(image, fixedPointWeights(inW, outW), { lines: inH, inLine: inW, outLine: outW, step: 1 });
  }
  if (outH !== inH) {
    // Along each of the outW columns: neighbouring inputs are a row (outW values) apart.
    image = resamplePass(image, fixedPointWeights(inH, outH), { lines: outW, inLine: 1, outLine: 1, step: outW });
  }
  return image === source ? source.slice() : image;
}

/** How one pass walks the image: `lines` lines along the axis, each `inLine`/`outLine` apart, samples `step` apart. */
interface PassLayout {
  lines: number;
  inLine: number;
  outLine: number;
  step: number;
}

/** One separable pass: each output sample is the weighted sum of its window along the axis. */
function resamplePass(image: Uint8Array, axis: ReturnType<typeof fixedPointWeights>, layout: PassLayout): Uint8Array {
  const { lines, inLine, outLine, step } = layout;
  const out = new Uint8Array(lines * axis.first.length);
  for (let line = 0; line < lines; line++) {
    for (let o = 0; o < axis.first.length; o++) {
      let sum = HALF;
      const start = line * inLine + axis.first[o] * step;
      const w = o * axis.taps;
      for (let k = 0; k < axis.count[o]; k++) sum += image[start + k * step] * axis.weights[w + k];
      out[line * outLine + o * step] = clip8(sum);
    }
  }
  return out;
}

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = ONE / 2;

function clip8(sum: number): number {
  return Math.min(255, Math.max(0, Math.floor(sum / ONE)));
}

/**
 * For each output index o along one axis: the first input index, how many inputs, and
 * their integer weights at weights[o · taps + k].
 */
function fixedPointWeights(
  inSize: number,
  outSize: number,
): { first: Int32Array; count: Int32Array; taps: number; weights: Int32Array } {
  const scale = inSize / outSize;
  const filterScale = Math.max(1, scale);
  const support = filterScale;
  const inverse = 1 / filterScale;
  const taps = 2 * Math.ceil(support) + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const raw = new Float64Array(taps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    // Truncation toward zero, as C's (int) cast on these (possibly negative) values.
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let total = 0;
    for (let x = lo; x < hi; x++) {
      raw[x - lo] = Math.max(0, 1 - Math.abs((x - center + 0.5) * inverse));
      total += raw[x - lo];
    }
    first[o] = lo;
    count[o] = hi - lo;
    for (let k = 0; k < hi - lo; k++) weights[o * taps + k] = Math.trunc((total === 0 ? raw[k] : raw[k] / total) * ONE + 0.5);
  }
  return { first, count, taps, weights };
}
