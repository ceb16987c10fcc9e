import * as tf from '@tensorflow/tfjs-core';

/** Backends whose tensors our own kernels read and write in place. */
export type InPlaceBackend = 'cpu' | 'wasm';

/**
 * Float32 tensors of one backend as typed arrays over its own memory: the cpu backend's
 * arrays, or views of the wasm heap. Kernels allocate every output first and take views
 * after, since allocating may grow (and so move) the wasm heap.
 */
export interface BackendBuffers {
  output(shape: number[]): tf.TensorInfo;
  values(info: tf.TensorInfo): Float32Array;
}

interface CpuBackend {
  readSync(dataId: tf.DataId): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Uint8Array): tf.TensorInfo;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): unknown;
}

export function backendBuffers(backendName: InPlaceBackend, backend: object): BackendBuffers {
  if (backendName === 'cpu') {
    const cpu = backend as CpuBackend;
    return {
      output: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
      values: (info) => float32(cpu.readSync(info.dataId)),
    };
  }
  const wasm = backend as WasmBackend;
  return {
    output: (shape) => wasm.makeOutput(shape, 'float32'),
    values: (info) => float32(wasm.typedArrayFromHeap(info)),
  };
}

function float32(values: unknown): Float32Array {
  if (values instanceof Float32Array) return values;
  throw new Error('expected a float32 tensor');
}

/** The values a cpu-backend tensor holds, as stored. */
export type CpuValues = Float32Array | Int32Array | Uint8Array;

/**
 * The values of a cpu-backend tensor for reading. A float32 tensor may hold the integer
 * array it was cast from: the backend's Cast shares the data of a bool or int32 tensor
 * rather than copy it, as no value changes.
 */
export function cpuValues(backend: object, info: tf.TensorInfo): CpuValues {
  const values = (backend as CpuBackend).readSync(info.dataId);
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array) return values;
  throw new Error(`expected a numeric tensor, got ${info.dtype}`);
}

/** A new zero-filled bool tensor of the cpu backend, with its values for writing. */
export function cpuBoolOutput(backend: object, shape: number[]): { info: tf.TensorInfo; values: Uint8Array } {
  const values = new Uint8Array(tf.util.sizeFromShape(shape));
  return { info: (backend as CpuBackend).makeTensorInfo(shape, 'bool', values), values };
}
