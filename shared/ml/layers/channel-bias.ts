import * as tf from '@tensorflow/tfjs-core';
import { backendBuffers, type InPlaceBackend } from '../backend/backend-buffers.ts';

/**
 * A per-channel bias add (convolution layers) whose bias gradient is one pass over dy: the
 * `AelabChannelSum` kernel sums every channel (the last axis) in float64, in a fixed order.
 * The generic gradient is a Sum over the outer axes, which the wasm backend can only take
 * after transposing the whole of dy. The forward add is the generic one; dx is dy itself.
 */
export const CHANNEL_SUM = 'AelabChannelSum';

const installed = new Set<InPlaceBackend>();

/** Registers the kernel on `backendName`. Idempotent. */
export function installChannelSumKernel(backendName: InPlaceBackend): void {
  if (installed.has(backendName)) return;
  tf.registerKernel({
    kernelName: CHANNEL_SUM,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const buffers = backendBuffers(backendName, backend);
      const channels = x.shape[x.shape.length - 1];
      const out = buffers.output([channels]);
      sumChannels(buffers.values(x), buffers.values(out));
      return out;
    },
  });
  installed.add(backendName);
}

/** Removes the kernel from `backendName` (the bias gradient then runs on generic ops). */
export function uninstallChannelSumKernel(backendName: InPlaceBackend): void {
  if (!installed.delete(backendName)) return;
  tf.unregisterKernel(CHANNEL_SUM, backendName);
}

/** x + bias, bias one value per channel of x's last axis. */
export function addChannelBias<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  if (tf.getKernel(CHANNEL_SUM, tf.getBackend()) === undefined || x.dtype !== 'float32') return tf.add(x, bias);
  const biased = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, shift] = args as [T, tf.Tensor1D];
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => [tf.reshape(dy, input.shape), tf.engine().runKernel(CHANNEL_SUM, { x: dy }) as tf.Tensor];
    return { value: tf.add(input, shift), gradFunc };
  }) as (x: T, bias: tf.Tensor1D) => T;
  return biased(x, bias);
}

function sumChannels(x: Float32Array, out: Float32Array): void {
  const channels = out.length;
  const sums = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c += 1) sums[c] += x[i + c];
  }
  out.set(sums);
}
