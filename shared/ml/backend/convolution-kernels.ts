import { installIm2colConv2DBackpropFilter } from './conv2d-backprop-filter.ts';
import { computeThreads } from './compute-threads.ts';
import { installNativeConvKernels, nativeConvAddonStatus, type NativeKernelBackend } from './native-conv-kernels.ts';

/** Which convolution kernels a backend computes with, for logs and run.json. */
export interface ConvolutionKernels {
  /** e.g. `native convolutions (oneDNN 2.6.3, 2 threads)` or `TF.js (native kernels not built: …)`. */
  description: string;
  /** Threads the convolutions use (AELAB_THREADS, default every core the process may use). */
  threads: number;
}

/**
 * Gives `backendName` the fastest convolution kernels this install has: the native ones on
 * AELAB_THREADS threads, else the backend's own plus our im2col filter gradient (wasm has
 * none of its own), on one thread.
 */
export function installConvolutionKernels(backendName: NativeKernelBackend): ConvolutionKernels {
  const threads = computeThreads();
  const status = nativeConvAddonStatus();
  if (status.available && installNativeConvKernels(backendName, threads)) {
    return { description: `native convolutions (${status.library}, ${threads} thread${threads === 1 ? '' : 's'})`, threads };
  }
  installIm2colConv2DBackpropFilter(backendName);
  const reason = status.available ? 'not installed' : status.reason;
  return { description: `TF.js convolutions, one thread (native kernels unavailable: ${reason})`, threads: 1 };
}
