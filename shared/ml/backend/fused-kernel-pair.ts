import * as tf from '@tensorflow/tfjs-core';
import { type BackendBuffers, backendBuffers, type InPlaceBackend } from './backend-buffers.ts';

/** A fused kernel's computation on one backend's buffers: its inputs by name, its attributes. */
export type FusedPass = (inputs: Record<string, tf.TensorInfo>, buffers: BackendBuffers, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[];

/** The two passes of a pair. */
export interface FusedPasses {
  forward: FusedPass;
  gradient: FusedPass;
}

/**
 * Which passes a pair computes with: `native` (our addon's, native-addon.ts, where the pair
 * has them and the addon loaded; else the JavaScript ones) or `javascript`.
 */
export type FusedImplementation = 'native' | 'javascript';

/**
 * A forward kernel and its gradient kernel, registered together on the backends whose
 * buffers they read (backend-buffers.ts), and the op that runs them with its gradient.
 * The passes are JavaScript, or native ones where `nativePasses` gives them (undefined when
 * the addon is not available).
 */
export class FusedKernelPair {
  private readonly installed = new Map<InPlaceBackend, FusedImplementation>();
  private readonly javascript: FusedPasses;

  constructor(
    readonly forwardName: string,
    readonly gradientName: string,
    forward: FusedPass,
    gradient: FusedPass,
    private readonly nativePasses: () => FusedPasses | undefined = () => undefined,
  ) {
    this.javascript = { forward, gradient };
  }

  /**
   * Registers both kernels on `backendName`, native ones unless told `javascript`; returns
   * the implementation registered. Idempotent; a call for another implementation replaces
   * the kernels.
   */
  install(backendName: InPlaceBackend, wanted: FusedImplementation = 'native'): FusedImplementation {
    const native = wanted === 'native' ? this.nativePasses() : undefined;
    const implementation = native ? 'native' : 'javascript';
    if (this.installed.get(backendName) === implementation) return implementation;
    this.uninstall(backendName);
    const passes = native ?? this.javascript;
    for (const [kernelName, pass] of [[this.forwardName, passes.forward], [this.gradientName, passes.gradient]] as const) {
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: ({ inputs, backend, attrs }) => pass(inputs as Record<string, tf.TensorInfo>, backendBuffers(backendName, backend), attrs ?? {}),
      });
    }
    this.installed.set(backendName, implementation);
    return implementation;
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

  /** The op on one input x (the kernels' input `x`); see applyTo. */
  apply<T extends tf.Tensor>(x: T, attrs: tf.NamedAttrMap = {}): T {
    return this.applyTo<T>({ x }, attrs);
  }

  /**
   * The op on named inputs: the forward kernel's output, with the gradient kernel called on
   * (the inputs, dy) in the backward pass, giving one gradient per input in the order named.
   */
  applyTo<T extends tf.Tensor>(inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap = {}): T {
    const names = Object.keys(inputs);
    const named = (tensors: tf.Tensor[]): tf.NamedTensorMap => Object.fromEntries(names.map((name, k) => [name, tensors[k]]));
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const tensors = args.slice(0, names.length) as tf.Tensor[];
      (args[names.length] as tf.GradSaveFunc)(tensors);
      const value = tf.engine().runKernel(this.forwardName, named(tensors), attrs) as T;
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor | tf.Tensor[] =>
        tf.engine().runKernel(this.gradientName, { ...named(saved), dy }, attrs) as tf.Tensor | tf.Tensor[];
      return { value, gradFunc };
    }) as (...tensors: tf.Tensor[]) => T;
    return op(...names.map((name) => inputs[name]));
  }
}
