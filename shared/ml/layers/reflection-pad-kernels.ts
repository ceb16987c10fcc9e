import { FusedKernelPair } from '../backend/fused-kernel-pair.ts';

/**
 * Reflection padding (reflection-pad2d.ts) as two fused kernels: `AelabReflectionPad`
 * (x → y, NHWC, the same `padding` on all four sides) and `AelabReflectionPadGrad`
 * (dy → dx, each padded pixel's gradient added back onto the pixel it mirrors). The generic
 * version (slices, reverses, two concats) keeps two padded copies per layer until the
 * backward pass and runs ten kernels; these keep one. dx is summed in dy's pixel order, so
 * it repeats bit for bit. Attribute: `padding`.
 */
export const FUSED_REFLECTION_PAD = new FusedKernelPair(
  'AelabReflectionPad',
  'AelabReflectionPadGrad',
  ({ x }, buffers, attrs) => {
    const mirror = new Mirror(x.shape, attrs.padding as number);
    const y = buffers.output(mirror.paddedShape);
    const [xs, ys] = [buffers.values(x), buffers.values(y)];
    mirror.forEachPixel((padded, source) => ys.set(xs.subarray(source, source + mirror.channels), padded));
    return y;
  },
  ({ x, dy }, buffers, attrs) => {
    const mirror = new Mirror(x.shape, attrs.padding as number);
    const dx = buffers.output(x.shape);
    const [dys, dxs] = [buffers.values(dy), buffers.values(dx)];
    mirror.forEachPixel((padded, source) => {
      for (let c = 0; c < mirror.channels; c++) dxs[source + c] += dys[padded + c];
    });
    return dx;
  },
);

/** Which input pixel each pixel of the padded NHWC tensor copies. */
class Mirror {
  readonly channels: number;
  readonly paddedShape: number[];
  private readonly rowSources: Int32Array;
  private readonly columnSources: Int32Array;

  constructor(
    private readonly shape: number[],
    padding: number,
  ) {
    const [, height, width, channels] = shape;
    this.channels = channels;
    this.paddedShape = [shape[0], height + 2 * padding, width + 2 * padding, channels];
    this.rowSources = Int32Array.from({ length: height + 2 * padding }, (_, i) => reflect(i - padding, height));
    this.columnSources = Int32Array.from({ length: width + 2 * padding }, (_, j) => reflect(j - padding, width));
  }

  /** Calls `visit(paddedOffset, sourceOffset)` for every padded pixel, in row-major order. */
  forEachPixel(visit: (padded: number, source: number) => void): void {
    const [batch, height, width, channels] = this.shape;
    let padded = 0;
    for (let b = 0; b < batch; b++) {
      for (const row of this.rowSources) {
        const rowStart = ((b * height + row) * width) * channels;
        for (const column of this.columnSources) {
          visit(padded, rowStart + column * channels);
          padded += channels;
        }
      }
    }
  }
}

/** PyTorch's reflection of index i into [0, size): the border itself is not repeated. */
function reflect(i: number, size: number): number {
  if (i < 0) return -i;
  if (i >= size) return 2 * (size - 1) - i;
  return i;
}
