import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `tensor.detach()` inside a loss whose gradients are taken: the same values,
 * and no gradient flows back through it. TF.js has no stop-gradient op, so this is an
 * identity whose gradient is zero. The ops behind it still run backward when the loss
 * reaches them some other way too (then they merely add zeros); where the detached value
 * is the only route, build it outside the loss closure instead.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  return identityWithoutGradient(x) as T;
}

const identityWithoutGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});
