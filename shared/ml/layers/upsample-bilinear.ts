import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch `nn.Upsample(scale_factor=s, mode='bilinear', align_corners=True)` on NHWC:
 * output size ⌊n·s⌋, corners aligned, so a 1×1 map is copied (docs/models.md §17.6).
 */
export function upsampleBilinear(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [, height, width] = x.shape;
  return tf.image.resizeBilinear(x, [Math.floor(height * scale), Math.floor(width * scale)], true);
}
