import * as tf from '@tensorflow/tfjs-core';
import { installConvolutionKernels } from './convolution-kernels.ts';
import { CPU_BROADCAST_KERNELS } from './cpu-broadcast-kernels.ts';
import { CPU_COPY_KERNELS, WASM_COPY_KERNELS } from './copy-kernels.ts';
import { installCpuLayerKernels, installFusedKernels } from './fused-kernels.ts';
import { ensureGradientsRegistered } from './register-gradients.ts';
import { installWasmSharedIdentity } from './wasm-shared-identity.ts';
import { activateWebgpu, describeAdapter, type AdapterPreference, type WebgpuAdapter } from './webgpu-backend.ts';
import { installReleasingBackprop } from './releasing-backprop.ts';
import { WASM_TRAINABLE_MODELS } from './wasm-trainable-models.ts';

/** What `AELAB_BACKEND` may say. */
export const BACKEND_REQUESTS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];

export interface SelectedBackend {
  /** TF.js backend name now active. */
  name: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  /** Where the math runs, for logs and run.json, e.g. `gpu (CUDA_VISIBLE_DEVICES=1)`. */
  device: string;
  /** The npm package that provides the backend. */
  package: string;
  /** The WebGPU adapter, for the webgpu backend only. */
  adapter?: WebgpuAdapter;
  /** Threads our convolution kernels compute with (AELAB_THREADS); null where the backend manages its own. */
  threads: number | null;
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * Activates a TF.js backend (docs/architecture.md "Backends") and registers gradients and the
 * im2col filter-gradient kernel it needs. `auto` takes `@tensorflow/tfjs-node-gpu`, then
 * webgpu on a hardware (Vulkan) adapter, then `@tensorflow/tfjs-node`, then `wasm` when
 * `forModel` is one of the models wasm trains (WASM_TRAINABLE_MODELS), then the pure-JS
 * `cpu` backend.
 * The native packages are optional and loaded by name at run time. Every backend
 * registers into the single global TF.js engine, whichever copy of tfjs-core loads it.
 * Logs nothing: the caller reports what was chosen.
 */
export async function selectBackend(requested: string = process.env.AELAB_BACKEND ?? 'auto', forModel?: string): Promise<SelectedBackend> {
  const request = requested.trim().toLowerCase();
  if (!isBackendRequest(request)) {
    throw new Error(`unknown backend "${requested}" (AELAB_BACKEND); valid values: ${BACKEND_REQUESTS.join(', ')}`);
  }
  // TF.js's own console advice (e.g. "install our node backend") would land in every job
  // log; the chosen backend is reported by our callers instead.
  tf.env().set('PROD', true);
  await ensureGradientsRegistered();
  installReleasingBackprop();
  switch (request) {
    case 'cpu':
      return useCpu();
    case 'wasm':
      return useWasm();
    case 'webgpu': {
      const selected = await useWebgpu('any');
      if (selected) return selected;
      throw new Error(
        'backend "webgpu" requested but Dawn found no adapter: neither a Vulkan GPU nor Mesa\'s software ' +
          'rasteriser (install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri), or set AELAB_BACKEND=cpu',
      );
    }
    case 'tensorflow': {
      const attempt = await tryNative();
      if ('selected' in attempt) return attempt.selected;
      throw new Error(
        `backend "tensorflow" requested but it cannot be loaded (${attempt.failures.join('; ')}). ` +
          'Install it with `npm run setup:tensorflow` (CPU libtensorflow, also without its download host) or ' +
          '`npm install @tensorflow/tfjs-node-gpu` (CUDA 11.2 + cuDNN 8.1), or set AELAB_BACKEND=cpu',
      );
    }
    case 'auto': {
      const gpu = await tryNative(['@tensorflow/tfjs-node-gpu']);
      if ('selected' in gpu) return gpu.selected;
      // A Dawn that cannot start here (no GPU, no driver) is one more backend `auto` passes over.
      const webgpu = await useWebgpu('hardware').catch(() => null);
      if (webgpu) return webgpu;
      const attempt = await tryNative(['@tensorflow/tfjs-node']);
      if ('selected' in attempt) return attempt.selected;
      return forModel !== undefined && WASM_TRAINABLE_MODELS.has(forModel) ? useWasm() : useCpu();
    }
  }
}

function isBackendRequest(value: string): value is BackendRequest {
  return (BACKEND_REQUESTS as readonly string[]).includes(value);
}

async function tryNative(packages: readonly string[] = NATIVE_PACKAGES): Promise<{ selected: SelectedBackend } | { failures: string[] }> {
  const failures: string[] = [];
  for (const pkg of packages) {
    try {
      const specifier: string = pkg;
      await import(specifier);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend failed to initialise');
      await tf.ready();
      const cuda = process.env.CUDA_VISIBLE_DEVICES;
      const device = pkg.endsWith('-gpu') ? (cuda ? `gpu (CUDA_VISIBLE_DEVICES=${cuda})` : 'gpu') : 'cpu (libtensorflow)';
      return { selected: { name: 'tensorflow', device, package: pkg, threads: null } };
    } catch (error) {
      failures.push(`${pkg}: ${firstLine(error)}`);
    }
  }
  return { failures };
}

async function useWebgpu(preference: AdapterPreference): Promise<SelectedBackend | null> {
  const adapter = await activateWebgpu(preference);
  if (adapter === null) return null;
  return { name: 'webgpu', device: describeAdapter(adapter), package: '@tensorflow/tfjs-backend-webgpu', adapter, threads: null };
}

async function useCpu(): Promise<SelectedBackend> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  await tf.ready();
  const convolutions = installConvolutionKernels('cpu');
  installFusedKernels('cpu');
  installCpuLayerKernels();
  CPU_COPY_KERNELS.install('cpu');
  CPU_BROADCAST_KERNELS.install('cpu');
  return { name: 'cpu', device: `cpu (pure JavaScript; ${convolutions.description})`, package: '@tensorflow/tfjs-backend-cpu', threads: convolutions.threads };
}

async function useWasm(): Promise<SelectedBackend> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  // wasm 4.22 has no Conv2DBackpropFilter at all; convolution training needs ours.
  const convolutions = installConvolutionKernels('wasm');
  installFusedKernels('wasm');
  installWasmSharedIdentity();
  WASM_COPY_KERNELS.install('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const device = `cpu (wasm${simd ? ', SIMD' : ''}, ${threads ? 'multi-threaded' : 'single-threaded'}; ${convolutions.description})`;
  return { name: 'wasm', device, package: '@tensorflow/tfjs-backend-wasm', threads: convolutions.threads };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
