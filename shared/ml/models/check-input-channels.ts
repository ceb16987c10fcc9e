import type * as tf from '@tensorflow/tfjs-core';

/** A model's forward pass refuses anything but an NHWC batch with its channel count, naming the model. */
export function checkInputChannels(model: string, x: tf.Tensor, channels: number): void {
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new Error(`${model}: expected an NHWC batch with ${channels} channel(s), got shape [${x.shape.join(', ')}]`);
  }
}
