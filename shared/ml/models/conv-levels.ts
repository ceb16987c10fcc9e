import type * as tf from '@tensorflow/tfjs-core';

/** One level of a conv stack: its conv's output before norm and activation, and the level's output. */
export interface ConvLevelTensors {
  conv: tf.Tensor4D;
  output: tf.Tensor4D;
}

/** The size along one axis after each of `count` levels; `next` gives a level's output size from its input size. */
export function sizesThroughLevels(n: number, count: number, next: (size: number, level: number) => number): number[] {
  const sizes: number[] = [];
  let size = n;
  for (let level = 0; level < count; level++) {
    size = next(size, level);
    sizes.push(size);
  }
  return sizes;
}

/** Every level's tensors, each level applied to the previous one's output (the first to `x`). */
export function tensorsThroughLevels<Level>(levels: readonly Level[], x: tf.Tensor4D, applyLevel: (level: Level, input: tf.Tensor4D) => ConvLevelTensors): ConvLevelTensors[] {
  const out: ConvLevelTensors[] = [];
  let h = x;
  for (const level of levels) {
    const tensors = applyLevel(level, h);
    out.push(tensors);
    h = tensors.output;
  }
  return out;
}
