import * as tf from '@tensorflow/tfjs-core';

/**
 * An `Identity` for the wasm backend that shares the input's buffer (as its Reshape does)
 * instead of copying it. While gradients are recorded, TF.js clones every tensor a gradient
 * will need, through Identity; wasm's own Identity copies, so training kept two copies of
 * each such tensor in the 4 GiB heap (the 128×128 DAE and SI-VAE did not fit). TF.js
 * tensors are never written in place, so sharing is safe, as on the cpu backend.
 */

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

let replaced: tf.KernelConfig | undefined;

/** Replaces wasm's Identity (kept, and put back by `uninstallWasmSharedIdentity`). Idempotent. */
export function installWasmSharedIdentity(): void {
  if (replaced !== undefined) return;
  const original = tf.getKernel(tf.Identity, 'wasm');
  if (original === undefined) throw new Error('the wasm backend has no Identity kernel to replace; import @tensorflow/tfjs-backend-wasm first');
  replaced = original;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

export function uninstallWasmSharedIdentity(): void {
  if (replaced === undefined) return;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel(replaced);
  replaced = undefined;
}
