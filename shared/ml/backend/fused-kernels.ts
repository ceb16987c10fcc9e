import { installBilinearWarpKernels } from '../deformation/bilinear-warp-kernels.ts';
import { installGroupNormKernels } from '../layers/group-norm-kernels.ts';
import { installChannelSumKernel } from '../layers/channel-bias.ts';
import { FUSED_BOX_SUM } from '../losses/box-sum-kernels.ts';
import { installAdamKernel } from '../optim/adam-kernel.ts';
import { installFrozenBatchNormKernels } from '../layers/frozen-batch-norm-kernels.ts';
import { FUSED_REFLECTION_PAD } from '../layers/reflection-pad-kernels.ts';
import { FUSED_SWISH } from '../layers/swish-kernels.ts';
import type { InPlaceBackend } from './backend-buffers.ts';

/** Registers our fused kernels (warp, GroupNorm, frozen BatchNorm, bias gradient, NCC window sums, Adam step) on a backend whose buffers they can read. */
export function installFusedKernels(backendName: InPlaceBackend): void {
  installBilinearWarpKernels(backendName);
  installGroupNormKernels(backendName);
  installFrozenBatchNormKernels(backendName);
  installChannelSumKernel(backendName);
  FUSED_BOX_SUM.install(backendName);
  installAdamKernel(backendName);
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
