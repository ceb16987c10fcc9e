import * as tf from '@tensorflow/tfjs-core';
import { FUSED_REFLECTION_PAD } from './reflection-pad-kernels.ts';

/**
 * PyTorch `nn.ReflectionPad2d(p)` on NHWC: each side gets the `p` rows/columns next to
 * the border, mirrored without repeating the border itself ([a b c] → [b a b c b]).
 *
 * Built from slice, reverse and concat rather than `tf.mirrorPad(..., 'reflect')`, which
 * computes the same forward values: TF.js 4.22's MirrorPad gradient only slices the
 * centre out of dy and drops what flowed through the mirrored copies, so every border
 * pixel would get a wrong gradient. Slice, reverse and concat have exact gradients. Where the
 * backend has them, the fused kernels of reflection-pad-kernels.ts do the same in one pass.
 */
export function reflectionPad2d(x: tf.Tensor4D, padding: number): tf.Tensor4D {
  const [, height, width] = x.shape;
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`reflectionPad2d: padding must be a non-negative integer, got ${padding}`);
  if (padding >= height || padding >= width) {
    throw new Error(`reflectionPad2d: padding ${padding} needs a feature map larger than it (as in PyTorch), got ${height}×${width}`);
  }
  if (padding === 0) return x;
  if (FUSED_REFLECTION_PAD.available()) return FUSED_REFLECTION_PAD.apply(x, { padding });
  return tf.tidy(() => reflectAxis(reflectAxis(x, 1, padding), 2, padding));
}

function reflectAxis(x: tf.Tensor4D, axis: 1 | 2, padding: number): tf.Tensor4D {
  const size = x.shape[axis];
  const band = (start: number): tf.Tensor4D => {
    const begin = [0, 0, 0, 0];
    const extent = [...x.shape];
    begin[axis] = start;
    extent[axis] = padding;
    return tf.reverse(tf.slice(x, begin, extent), axis);
  };
  return tf.concat([band(1), x, band(size - 1 - padding)], axis);
}
