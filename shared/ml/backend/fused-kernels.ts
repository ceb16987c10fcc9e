import { installBilinearWarpKernels } from '../deformation/bilinear-warp-kernels.ts';
import { installGroupNormKernels } from '../layers/group-norm-kernels.ts';
import type { InPlaceBackend } from './backend-buffers.ts';

/** Registers our fused layer kernels (warp, GroupNorm) on a backend whose buffers they can read. */
export function installFusedKernels(backendName: InPlaceBackend): void {
  installBilinearWarpKernels(backendName);
  installGroupNormKernels(backendName);
}
