import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

/** Which Dawn backend drives an adapter: Vulkan for real GPUs, OpenGL ES for Mesa's llvmpipe. */
export type DawnBackend = 'vulkan' | 'opengles';

/** The adapter a webgpu backend runs on, as logs and run.json record it. */
export interface WebgpuAdapter {
  /** Empty where the driver names none (Mesa's GL adapter). */
  vendor: string;
  device: string;
  backend: DawnBackend;
  /** True for a CPU rasteriser (llvmpipe, lavapipe, SwiftShader): correct, but no GPU. */
  software: boolean;
}

/** Where to look for an adapter: `hardware` only a Vulkan GPU, `any` also the software one. */
export type AdapterPreference = 'hardware' | 'any';

type DawnModule = typeof import('webgpu');

/** Folders the Vulkan loader reads ICD manifests from (besides `VK_ICD_FILENAMES`/`VK_DRIVER_FILES`). */
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const SOFTWARE_RENDERERS = /llvmpipe|lavapipe|swiftshader|software/i;

let active: WebgpuAdapter | null = null;

/**
 * Activates `@tensorflow/tfjs-backend-webgpu` on Dawn (the npm package `webgpu`):
 * a Vulkan adapter where a driver offers one, else (with `any`) Mesa's software
 * rasteriser through Dawn's OpenGL ES backend, which only offers WebGPU's
 * `compatibility` feature level. Returns null when no adapter of the wanted kind exists.
 * A process keeps the first adapter it gets: TF.js cannot move tensors between devices.
 */
export async function activateWebgpu(preference: AdapterPreference): Promise<WebgpuAdapter | null> {
  if (active !== null) {
    if (preference === 'hardware' && active.software) return null;
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
    return active;
  }
  const dawn = await loadDawn();
  const found = (await vulkanAdapter(dawn)) ?? (preference === 'any' ? await softwareAdapter(dawn) : null);
  if (found === null || (preference === 'hardware' && found.adapter.software)) return null;
  await registerWebgpuBackend(found.gpuAdapter, found.adapter);
  active = found.adapter;
  return active;
}

/** The readable form of an adapter for `SelectedBackend.device`, e.g. `gpu (webgpu/vulkan: nvidia …)`. */
export function describeAdapter(adapter: WebgpuAdapter): string {
  const kind = adapter.software ? 'cpu' : 'gpu';
  const name = [adapter.vendor, adapter.device].filter((part) => part).join(' ');
  return `${kind} (webgpu/${adapter.backend}${adapter.software ? ', software' : ''}: ${name})`;
}

async function loadDawn(): Promise<DawnModule> {
  const dawn = await import('webgpu');
  // tfjs-backend-webgpu reads the WebGPU constants (GPUBufferUsage, GPUMapMode) and
  // `navigator.gpu` from the global scope, as in a browser.
  Object.assign(globalThis, dawn.globals);
  return dawn;
}

interface FoundAdapter {
  gpuAdapter: GPUAdapter;
  adapter: WebgpuAdapter;
}

async function vulkanAdapter(dawn: DawnModule): Promise<FoundAdapter | null> {
  // Without an installed Vulkan driver Dawn only prints loader warnings; skip the attempt.
  if (!vulkanDriverListed()) return null;
  const gpu = dawn.create(['backend=vulkan']);
  const gpuAdapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return gpuAdapter ? { gpuAdapter, adapter: describe(gpuAdapter, 'vulkan', gpu) } : null;
}

async function softwareAdapter(dawn: DawnModule): Promise<FoundAdapter | null> {
  // Mesa's EGL needs no display server on the surfaceless platform; it reads this when Dawn first loads EGL.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const gpu = dawn.create(['backend=opengles']);
  const gpuAdapter = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
  return gpuAdapter ? { gpuAdapter, adapter: describe(gpuAdapter, 'opengles', gpu) } : null;
}

function vulkanDriverListed(): boolean {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return true;
  return VULKAN_ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.json')));
}

function describe(gpuAdapter: GPUAdapter, backend: DawnBackend, gpu: GPU): WebgpuAdapter {
  setNavigatorGpu(gpu);
  const info = gpuAdapter.info;
  // Dawn's GL adapter names the renderer in `device` (llvmpipe-…) and the driver in `description`.
  const device = [info.device, info.description].filter((part) => part).join(', ') || 'unknown device';
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { vendor: info.vendor, device, backend, software: fallback || SOFTWARE_RENDERERS.test(device) };
}

/** tfjs-backend-webgpu refuses to start unless `navigator.gpu` exists (Node 20 has no `navigator`). */
function setNavigatorGpu(gpu: GPU): void {
  const scope = globalThis as { navigator?: { gpu?: GPU } };
  if (scope.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

/**
 * Registers the `webgpu` backend on our adapter. The package's own registration asks
 * `navigator.gpu` for a default adapter, which would miss the compatibility-level
 * software adapter, so the device is requested here with the same limits it asks for.
 */
async function registerWebgpuBackend(gpuAdapter: GPUAdapter, adapter: WebgpuAdapter): Promise<void> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const limits = gpuAdapter.limits;
  const requiredFeatures: GPUFeatureName[] = gpuAdapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await gpuAdapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, gpuAdapter.info));
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend failed to initialise on ${describeAdapter(adapter)}`);
  await tf.ready();
}
