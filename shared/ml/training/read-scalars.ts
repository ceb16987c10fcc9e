import * as tf from '@tensorflow/tfjs-core';

/**
 * The values of named scalar tensors, read with one asynchronous download; the tensors
 * are disposed. Asynchronous because the webgpu backend cannot read GPU memory
 * synchronously in Node; one download for all of them because each download waits for
 * the device's queue to drain.
 */
export async function readScalars<Name extends string>(scalars: Record<Name, tf.Tensor>): Promise<Record<Name, number>> {
  const names = Object.keys(scalars) as Name[];
  try {
    if (names.length === 0) return {} as Record<Name, number>;
    const stacked = tf.tidy(() => tf.stack(names.map((name) => tf.reshape(scalars[name], []))));
    try {
      const values = await stacked.data();
      return Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<Name, number>;
    } finally {
      stacked.dispose();
    }
  } finally {
    tf.dispose(Object.values<tf.Tensor>(scalars));
  }
}
