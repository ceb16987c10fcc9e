import { installBilinearWarpKernels } from '../deformation/bilinear-warp-kernels.ts';
import { installGroupNormKernels } from '../layers/group-norm-kernels.ts';
import { installFrozenBatchNormKernels } from '../layers/frozen-batch-norm-kernels.ts';
import { FUSED_REFLECTION_PAD } from '../layers/reflection-pad-kernels.ts';
import { FUSED_SWISH } from '../layers/swish-kernels.ts';
import type { InPlaceBackend } from './backend-buffers.ts';

/** Registers our fused layer kernels (warp, GroupNorm, frozen BatchNorm) on a backend whose buffers they can read. */
export function installFusedKernels(backendName: InPlaceBackend): void {
  installBilinearWarpKernels(backendName);
  installGroupNormKernels(backendName);
  installFrozenBatchNormKernels(backendName);
}

/**
 * Registers the fused swish and reflection padding on the cpu backend, where the generic
 * versions' extra full-size tensors and kernels cost the most (the DAE trains there). The
 * wasm backend keeps its own SIMD sigmoid and copies.
 */
export function installCpuLayerKernels(): void {
  FUSED_SWISH.install('cpu');
  FUSED_REFLECTION_PAD.install('cpu');
}
