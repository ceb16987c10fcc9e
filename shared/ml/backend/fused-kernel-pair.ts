import * as tf from '@tensorflow/tfjs-core';
import { type BackendBuffers, backendBuffers, type InPlaceBackend } from './backend-buffers.ts';

/** A fused kernel's computation on one backend's buffers: its inputs by name, its attributes. */
export type FusedPass = (inputs: Record<string, tf.TensorInfo>, buffers: BackendBuffers, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[];

/**
 * A forward kernel and its gradient kernel, registered together on the backends whose
 * buffers they read (backend-buffers.ts), and the op that runs them with its gradient.
 */
export class FusedKernelPair {
  private readonly installed = new Set<InPlaceBackend>();

  constructor(
    readonly forwardName: string,
    readonly gradientName: string,
    private readonly forward: FusedPass,
    private readonly gradient: FusedPass,
  ) {}

  /** Registers both kernels on `backendName`. Idempotent. */
  install(backendName: InPlaceBackend): void {
    if (this.installed.has(backendName)) return;
    for (const [kernelName, pass] of [[this.forwardName, this.forward], [this.gradientName, this.gradient]] as const) {
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: ({ inputs, backend, attrs }) => pass(inputs as Record<string, tf.TensorInfo>, backendBuffers(backendName, backend), attrs ?? {}),
      });
    }
    this.installed.add(backendName);
  }

  /** Removes both kernels from `backendName` (the op then runs on generic ops). */
  uninstall(backendName: InPlaceBackend): void {
    if (!this.installed.delete(backendName)) return;
    tf.unregisterKernel(this.forwardName, backendName);
    tf.unregisterKernel(this.gradientName, backendName);
  }

  /** Whether the active backend has both kernels. */
  available(): boolean {
    return tf.getKernel(this.forwardName, tf.getBackend()) !== undefined && tf.getKernel(this.gradientName, tf.getBackend()) !== undefined;
  }

  /**
   * The op on one input x: the forward kernel's output, with the gradient kernel called on
   * (x, dy) in the backward pass; only x is kept for it.
   */
  apply<T extends tf.Tensor>(x: T, attrs: tf.NamedAttrMap = {}): T {
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [input, save] = args as [T, tf.GradSaveFunc];
      save([input]);
      const value = tf.engine().runKernel(this.forwardName, { x: input }, attrs) as T;
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => tf.engine().runKernel(this.gradientName, { x: saved[0], dy }, attrs) as tf.Tensor;
      return { value, gradFunc };
    }) as (input: T) => T;
    return op(x);
  }
}
