import { FUSED_WARP } from '../deformation/bilinear-warp-kernels.ts';
import { installChannelEpilogueKernels } from '../layers/channel-epilogue-kernels.ts';
import { installFrozenBatchNormKernels } from '../layers/frozen-batch-norm-kernels.ts';
import { installGroupNormKernels } from '../layers/group-norm-kernels.ts';
import { FUSED_REFLECTION_PAD } from '../layers/reflection-pad-kernels.ts';
import { FUSED_SWISH } from '../layers/swish-kernels.ts';
import { FUSED_BOX_SUM } from '../losses/box-sum-kernels.ts';
import { installAdamKernel } from '../optim/adam-kernel.ts';
import type { InPlaceBackend } from './backend-buffers.ts';
import { nativeAddonStatus } from './native-addon.ts';
import { installNativeResizeKernels } from './native-resize-kernels.ts';

/**
 * Registers our fused kernels (warp, GroupNorm, NCC window sums, and where the addon is built
 * the native conv-level epilogue, Adam step and bilinear resizing) on a backend whose buffers
 * they can read.
 */
export function installFusedKernels(backendName: InPlaceBackend): void {
  FUSED_WARP.install(backendName);
  installChannelEpilogueKernels(backendName);
  installNativeResizeKernels(backendName);
  if (nativeAddonStatus().available) installAdamKernel(backendName, 'native');
  installGroupNormKernels(backendName);
  FUSED_BOX_SUM.install(backendName);
}

/**
 * Registers the fused swish, reflection padding, frozen BatchNorm and Adam step on the cpu
 * backend, where each generic op is a JavaScript loop that allocates its own full-size
 * output, so one pass instead of several wins (measured: Adam 15–20×, frozen BatchNorm 2–4×
 * faster; the DAE and SI-VAE train there). On wasm the same JavaScript passes lose to the
 * backend's SIMD ops (Adam 2.5×, BatchNorm 1.5–4× slower), so it keeps those. Where the
 * addon is built, installFusedKernels has already given both backends the native Adam step.
 */
export function installCpuLayerKernels(): void {
  FUSED_SWISH.install('cpu');
  FUSED_REFLECTION_PAD.install('cpu');
  installFrozenBatchNormKernels('cpu');
  installAdamKernel('cpu');
}
