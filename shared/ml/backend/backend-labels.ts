/**
 * The labels a worker gets from the backend selectBackend chose: `gpu` when the math
 * runs on a GPU (then its `device` reads `gpu (…)`: tfjs-node-gpu, webgpu on a hardware
 * adapter), `cpu` otherwise, plus the backend's name (`tensorflow`, `wasm`, `cpu`, …).
 */
export function labelsOfBackend(backend: { name: string; device: string }): string[] {
  const processor = backend.device.startsWith('gpu') ? 'gpu' : 'cpu';
  return [...new Set([processor, backend.name.toLowerCase()])];
}
