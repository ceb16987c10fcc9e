import * as tf from '@tensorflow/tfjs-core';

/**
 * An im2col `Conv2DBackpropFilter` (the filter gradient of conv2d) for the `cpu` and
 * `wasm` backends. The wasm backend of TF.js 4.22 has no such kernel, so convolution
 * training fails there; the pure-JS kernel of the cpu backend reads every element
 * through `TensorBuffer.get` and takes most of a training step.
 *
 * Convention: NHWC input x [B,H,W,Ci], output gradient dy [B,Ho,Wo,Co], filter
 * [kh,kw,Ci,Co]. The patch matrix P has one row per output position (b,ho,wo) and
 * the columns (kh,kw,ci) in filter order, zeros where the window reaches into the
 * padding; then dW = Pᵀ·dy, computed by the backend's own BatchMatMul kernel. Rows are
 * processed in chunks so P never holds more than `MAX_PATCH_VALUES` values.
 */

const MAX_PATCH_VALUES = 1 << 22;

type SupportedBackend = 'cpu' | 'wasm';

/** The part of a TF.js backend this kernel needs (both cpu and wasm provide it). */
interface DataBackend {
  readSync(dataId: tf.DataId): unknown;
  write(values: Float32Array, shape: number[], dtype: tf.DataType): tf.DataId;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

const replaced = new Map<SupportedBackend, tf.KernelConfig | undefined>();

/**
 * Registers the im2col kernel for `backendName`, replacing the backend's own kernel
 * (kept, and restored by `uninstallIm2colConv2DBackpropFilter`). Idempotent. The
 * backend package must have been imported first, so that its kernels are registered.
 */
export function installIm2colConv2DBackpropFilter(backendName: SupportedBackend): void {
  if (replaced.has(backendName)) return;
  const original = getKernelOrUndefined(backendName);
  if (original) tf.unregisterKernel(tf.Conv2DBackpropFilter, backendName);
  replaced.set(backendName, original);
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: (args) => conv2DBackpropFilterIm2col(args, backendName, original),
  });
}

/** Puts back the kernel that `installIm2colConv2DBackpropFilter` replaced (none for wasm). */
export function uninstallIm2colConv2DBackpropFilter(backendName: SupportedBackend): void {
  if (!replaced.has(backendName)) return;
  const original = replaced.get(backendName);
  replaced.delete(backendName);
  tf.unregisterKernel(tf.Conv2DBackpropFilter, backendName);
  if (original) tf.registerKernel(original);
}

function getKernelOrUndefined(backendName: string): tf.KernelConfig | undefined {
  return tf.getKernel(tf.Conv2DBackpropFilter, backendName) ?? undefined;
}

function conv2DBackpropFilterIm2col(
  args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap },
  backendName: SupportedBackend,
  fallback: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  if (attrs.dataFormat === 'NCHW') {
    if (fallback) return fallback.kernelFunc(args) as tf.TensorInfo;
    throw new Error('Conv2DBackpropFilter (im2col): only NHWC is supported');
  }
  const backend = args.backend as DataBackend;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const patchWidth = kh * kw * inChannels;
  const rowCount = batchSize * outHeight * outWidth;
  const rowsPerChunk = Math.max(1, Math.floor(MAX_PATCH_VALUES / patchWidth));

  const xValues = asFloat32(backend.readSync(x.dataId));
  const dyValues = asFloat32(backend.readSync(dy.dataId));
  const matMul = tf.getKernel(tf.BatchMatMul, backendName).kernelFunc;
  const dW = new Float32Array(patchWidth * outChannels);

  for (let row0 = 0; row0 < rowCount; row0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, rowCount - row0);
    const patches = new Float32Array(rows * patchWidth);
    for (let r = 0; r < rows; r++) {
      const row = row0 + r;
      const b = Math.floor(row / (outHeight * outWidth));
      const rest = row - b * outHeight * outWidth;
      const ho = Math.floor(rest / outWidth);
      const wo = rest - ho * outWidth;
      const rowOffset = r * patchWidth;
      for (let i = 0; i < kh; i++) {
        const hi = ho * sh + i - top;
        if (hi < 0 || hi >= inHeight) continue;
        for (let j = 0; j < kw; j++) {
          const wi = wo * sw + j - left;
          if (wi < 0 || wi >= inWidth) continue;
          const src = ((b * inHeight + hi) * inWidth + wi) * inChannels;
          patches.set(xValues.subarray(src, src + inChannels), rowOffset + (i * kw + j) * inChannels);
        }
      }
    }
    const a = writeMatrix(backend, patches, rows, patchWidth);
    const b = writeMatrix(backend, dyValues.slice(row0 * outChannels, (row0 + rows) * outChannels), rows, outChannels);
    const attrs = { transposeA: true, transposeB: false };
    const product = matMul({ inputs: { a, b }, backend: args.backend, attrs }) as tf.TensorInfo;
    const values = asFloat32(backend.readSync(product.dataId));
    for (let k = 0; k < dW.length; k++) dW[k] += values[k];
    backend.disposeData(a.dataId);
    backend.disposeData(b.dataId);
    backend.disposeData(product.dataId);
  }
  const shape = [kh, kw, inChannels, outChannels];
  return { dataId: backend.write(dW, shape, 'float32'), shape, dtype: 'float32' };
}

/** A [1, rows, cols] float32 tensor owned by the backend (BatchMatMul wants rank 3). */
function writeMatrix(backend: DataBackend, values: Float32Array, rows: number, cols: number): tf.TensorInfo {
  const shape = [1, rows, cols];
  return { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

function asFloat32(values: unknown): Float32Array {
  if (values instanceof Float32Array) return values;
  throw new Error('Conv2DBackpropFilter (im2col): expected float32 tensors');
}
