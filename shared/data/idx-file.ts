import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { systemErrorCode } from '../errors/system-error-code.ts';

/**
 * An IDX file of unsigned bytes (the format of MNIST, Fashion-MNIST, KMNIST, EMNIST):
 * bytes 0–1 zero, byte 2 the element type (0x08 = unsigned byte, the only one read
 * here), byte 3 the number of dimensions, then each dimension as a big-endian uint32,
 * then the values, row-major. A gzip-compressed file (magic 1F 8B) is inflated first,
 * whatever its name.
 */
export interface IdxFile {
  /** The file's path, for messages. */
  file: string;
  /** Sizes of the dimensions, outermost first (images: [count, rows, columns]; labels: [count]). */
  shape: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

const TYPE_NAMES: Record<number, string> = {
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Reads an IDX file (gzip-compressed or not) and checks its header against its length. */
export async function readIdxFile(file: string): Promise<IdxFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = systemErrorCode(error) === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new Error(`IDX file ${file}: ${reason}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await promisify(gunzip)(bytes);
    } catch (error) {
      throw new Error(`IDX file ${file}: gzip data is corrupt (${(error as Error).message})`);
    }
  }
  return parseIdx(bytes, file);
}

export function parseIdx(bytes: Uint8Array, file: string): IdxFile {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`IDX file ${file}: not an IDX file (it must start with two zero bytes, a type byte and a dimension count)`);
  }
  const type = bytes[2];
  if (type !== UNSIGNED_BYTE) {
    const name = TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16).padStart(2, '0')}`;
    throw new Error(`IDX file ${file}: element type ${name} is not supported; only unsigned bytes (0x08) are read`);
  }
  const dimensions = bytes[3];
  const header = 4 + 4 * dimensions;
  if (dimensions === 0 || bytes.length < header) {
    throw new Error(`IDX file ${file}: header declares ${dimensions} dimension(s) but the file has ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dimensions }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((product, size) => product * size, 1);
  if (bytes.length - header !== count) {
    throw new Error(
      `IDX file ${file}: shape [${shape.join(', ')}] needs ${count} value bytes after the ${header}-byte header, ` +
        `but ${bytes.length - header} follow (${bytes.length - header < count ? 'truncated' : 'trailing data'})`,
    );
  }
  return { file, shape, data: bytes.subarray(header) };
}
