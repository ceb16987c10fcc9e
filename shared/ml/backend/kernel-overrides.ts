import * as tf from '@tensorflow/tfjs-core';

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** A replacement kernel: its output, or undefined for a call it does not cover (the replaced kernel then runs). */
export type KernelOverride = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] | undefined;

/**
 * A set of kernels registered on one backend in place of the backend's own, which are kept:
 * each call an override does not cover goes to the kernel it replaced, and `uninstall` puts
 * them back (the kernel tests compare both).
 */
export class KernelOverrides {
  private readonly replaced = new Map<string, Map<string, tf.KernelConfig | undefined>>();

  constructor(private readonly overrides: ReadonlyArray<readonly [string, KernelOverride]>) {}

  /** Registers every override on `backendName`. Idempotent. */
  install(backendName: string): void {
    if (this.replaced.has(backendName)) return;
    const originals = new Map<string, tf.KernelConfig | undefined>();
    for (const [kernelName, override] of this.overrides) {
      const original = tf.getKernel(kernelName, backendName) ?? undefined;
      originals.set(kernelName, original);
      if (original) tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel({ kernelName, backendName, kernelFunc: (args) => override(args) ?? callOriginal(original, kernelName, args) });
    }
    this.replaced.set(backendName, originals);
  }

  /** Puts back the kernels `install` replaced on `backendName`. */
  uninstall(backendName: string): void {
    const originals = this.replaced.get(backendName);
    if (originals === undefined) return;
    this.replaced.delete(backendName);
    for (const [kernelName, original] of originals) {
      tf.unregisterKernel(kernelName, backendName);
      if (original) tf.registerKernel(original);
    }
  }
}

function callOriginal(original: tf.KernelConfig | undefined, kernelName: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  if (!original) throw new Error(`${kernelName}: this backend has no kernel for this call`);
  return original.kernelFunc(args) as tf.TensorInfo | tf.TensorInfo[];
}
