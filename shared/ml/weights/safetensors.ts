/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, ...,
 * "__metadata__"?: {string: string}}`, then the raw little-endian tensor bytes, offsets
 * relative to the end of the header. Tensors are row-major in their own (here: PyTorch)
 * layout.
 */

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** F16 and BF16 are widened to Float32Array on reading; the other dtypes keep their width. */
export type SafetensorsData = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_HEADER_BYTES = 100_000_000;

/** Parses a safetensors file. `source` names it in error messages. */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors file'): Map<string, SafetensorsTensor> {
  if (bytes.length < 8) throw new Error(`${source}: too short for a safetensors header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    throw new Error(`${source}: header length ${headerLength} does not fit the file (${bytes.length} bytes); not a safetensors file?`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new Error(`${source}: header is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(header)) throw new Error(`${source}: header must be a JSON object`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const where = `${source}: tensor ${name}`;
    if (!isRecord(entry)) throw new Error(`${where}: entry must be an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) {
      throw new Error(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(BYTES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new Error(`${where}: data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const d = dtype as SafetensorsDtype;
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) {
      throw new Error(`${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength} data bytes`);
    }
    if (end - begin !== count * BYTES[d]) {
      throw new Error(`${where}: ${end - begin} bytes for ${d} shape [${(shape as number[]).join(', ')}], expected ${count * BYTES[d]}`);
    }
    // A copy on its own ArrayBuffer: Node Buffers share a pool, and their slice() is a view.
    const raw = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype: d, shape: [...(shape as number[])], data: decode(d, raw, count) });
  }
  return tensors;
}

/** The `__metadata__` string map of a safetensors file, empty when absent. */
export function readSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const metadata = isRecord(header) ? header.__metadata__ : undefined;
  return isRecord(metadata) ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)])) : {};
}

/**
 * Serialises tensors in iteration order. F16/BF16 entries must carry Float32Array data
 * (they are narrowed on writing); every other dtype needs its own typed array.
 */
export function writeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (tensor.data.length !== count) {
      throw new Error(`writeSafetensors: tensor ${name} has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`);
    }
    const raw = encode(name, tensor);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + raw.length] };
    chunks.push(raw);
    offset += raw.length;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decode(dtype: SafetensorsDtype, raw: Uint8Array, count: number): SafetensorsData {
  // `raw` is a fresh copy starting at offset 0, so typed views over it are aligned.
  const buffer = raw.buffer as ArrayBuffer;
  const view = new DataView(buffer);
  switch (dtype) {
    case 'F64':
      return LITTLE_ENDIAN ? new Float64Array(buffer) : Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
    case 'F32':
      return LITTLE_ENDIAN ? new Float32Array(buffer) : Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
    case 'F16':
      return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(i * 2, true)));
    case 'BF16':
      return Float32Array.from({ length: count }, (_, i) => bfloat16ToFloat(view.getUint16(i * 2, true)));
    case 'I64':
      return LITTLE_ENDIAN ? new BigInt64Array(buffer) : BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(i * 8, true));
    case 'I32':
      return LITTLE_ENDIAN ? new Int32Array(buffer) : Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
    case 'I16':
      return LITTLE_ENDIAN ? new Int16Array(buffer) : Int16Array.from({ length: count }, (_, i) => view.getInt16(i * 2, true));
    case 'I8':
      return new Int8Array(buffer);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer);
  }
}

/** The typed array each dtype is written from. */
const SOURCE_ARRAY: Record<SafetensorsDtype, string> = {
  F64: 'Float64Array',
  F32: 'Float32Array',
  F16: 'Float32Array',
  BF16: 'Float32Array',
  I64: 'BigInt64Array',
  I32: 'Int32Array',
  I16: 'Int16Array',
  I8: 'Int8Array',
  U8: 'Uint8Array',
  BOOL: 'Uint8Array',
};

function encode(name: string, tensor: SafetensorsTensor): Uint8Array {
  const { dtype, data } = tensor;
  if (data.constructor.name !== SOURCE_ARRAY[dtype]) {
    throw new Error(`writeSafetensors: tensor ${name}: dtype ${dtype} needs a ${SOURCE_ARRAY[dtype]}, got a ${data.constructor.name}`);
  }
  if (dtype === 'F16' || dtype === 'BF16') {
    const narrow = dtype === 'F16' ? floatToHalf : floatToBfloat16;
    const out = new Uint8Array(data.length * 2);
    const view = new DataView(out.buffer);
    (data as Float32Array).forEach((v, i) => view.setUint16(i * 2, narrow(v), true));
    return out;
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (!LITTLE_ENDIAN && BYTES[dtype] > 1) {
    for (let i = 0; i < bytes.length; i += BYTES[dtype]) bytes.subarray(i, i + BYTES[dtype]).reverse();
  }
  return bytes;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bfloat16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

/** Round-to-nearest-even narrowing of a float32 to bfloat16. */
function floatToBfloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  if (Number.isNaN(value)) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Round-to-nearest-even narrowing to IEEE half precision (overflow → ±Infinity). */
function floatToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -24 / 2) return sign;
  if (a < 2 ** -14) return sign | roundHalfEven(a / 2 ** -24);
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--;
  let mantissa = roundHalfEven((a / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | mantissa;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
