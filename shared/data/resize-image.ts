import { resizeBilinear } from './resize-bilinear.ts';
import { resizePilBilinear } from './resize-pil-bilinear.ts';

/**
 * The two resize paths of the official code (docs/models.md §13.2, §13.3):
 * - `bilinear`: the training path — bilinear on the float image, half-pixel centres, no
 *   antialias (resize-bilinear.ts);
 * - `antialias`: the downstream path — the float image × 255 in float32, truncated to
 *   uint8 (`ToPILImage`), Pillow's antialiased bilinear resize (resize-pil-bilinear.ts),
 *   ÷ 255 (`ToTensor`). The truncation is applied even when the size does not change.
 */
export type ResizeMethod = 'bilinear' | 'antialias';

export const RESIZE_METHODS: readonly ResizeMethod[] = ['bilinear', 'antialias'];

/**
 * The default everywhere: the official training path, so that a model is evaluated on
 * images prepared as it was trained on (the official code switched paths between them).
 */
export const DEFAULT_RESIZE: ResizeMethod = 'bilinear';

/** Resizes one channel of values in [0, 1] to `to` with `method`. */
export function resizeImage(
  source: Float32Array,
  from: readonly [number, number],
  to: readonly [number, number],
  method: ResizeMethod,
): Float32Array {
  if (method === 'bilinear') return resizeBilinear(source, from, to);
  const bytes = new Uint8Array(source.length);
  for (let p = 0; p < source.length; p++) bytes[p] = Math.trunc(Math.fround(source[p] * 255));
  const resized = resizePilBilinear(bytes, from, to);
  const out = new Float32Array(resized.length);
  for (let p = 0; p < resized.length; p++) out[p] = resized[p] / 255;
  return out;
}
