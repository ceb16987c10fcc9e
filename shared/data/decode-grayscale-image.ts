import { decode, hasPngSignature, type DecodedPng } from 'fast-png';

export interface GrayscaleImage {
  /** height × width values in [0, 1], row-major. */
  data: Float32Array;
  height: number;
  width: number;
}

/**
 * Decodes an image file to one channel in [0, 1], as the official training path does
 * (MORPHAEUS.md §13.2): integer values divided by their maximum (255 for 8-bit, 65535
 * for 16-bit), and of a multi-channel image only channel 0 (red, or gray of
 * gray+alpha). Palette images take channel 0 of their palette colours. PNG only so far.
 *
 * @param file the file's path, for error messages.
 */
export function decodeGrayscaleImage(bytes: Uint8Array, file: string): GrayscaleImage {
  if (!hasPngSignature(bytes)) {
    throw new Error(
      `${file}: unsupported image format (${describeFormat(bytes)}); only PNG is read so far — ` +
        'JPEG and DICOM support is not implemented yet, convert the images to 8- or 16-bit PNG',
    );
  }
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`${file}: not a readable PNG (${(error as Error).message})`);
  }
  const { width, height, depth, channels } = png;
  const data = new Float32Array(width * height);
  if (png.palette !== undefined && png.palette.length > 0) {
    const palette = png.palette;
    for (let p = 0; p < width * height; p++) {
      const colour = palette[sampleAt(png, p)];
      if (colour === undefined) throw new Error(`${file}: palette index out of range at pixel ${p}`);
      data[p] = colour[0] / 255;
    }
    return { data, height, width };
  }
  const scale = 1 / (2 ** depth - 1);
  if (depth < 8) {
    for (let p = 0; p < width * height; p++) data[p] = sampleAt(png, p) * scale;
  } else {
    const values = png.data;
    for (let p = 0; p < width * height; p++) data[p] = values[p * channels] * scale;
  }
  return { data, height, width };
}

/** The value of pixel p of a one-channel image packed at 1, 2, 4 or 8 bits, rows padded to whole bytes. */
function sampleAt(png: DecodedPng, p: number): number {
  const { depth, width } = png;
  if (depth >= 8) return png.data[p * png.channels];
  const row = Math.floor(p / width);
  const bit = (p % width) * depth;
  const byte = png.data[row * Math.ceil((width * depth) / 8) + (bit >> 3)];
  return (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

function describeFormat(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  if (bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM') return 'DICOM';
  if (bytes.length === 0) return 'empty file';
  return 'not PNG, JPEG or DICOM';
}
