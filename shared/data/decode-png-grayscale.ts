import { decode, type DecodedPng } from 'fast-png';
import type { GrayscaleImage } from './grayscale-image.ts';

/**
 * A PNG as one channel in [0, 1]: integer values divided by their maximum (255 for
 * 8-bit, 65535 for 16-bit, 2^depth − 1 below 8 bits); of a multi-channel image only
 * channel 0 (red, or gray of gray+alpha); palette images take channel 0 of their
 * palette colours.
 *
 * @param file the file's path, for error messages.
 */
export function decodePngGrayscale(bytes: Uint8Array, file: string): GrayscaleImage {
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`${file}: not a readable PNG (${error instanceof Error ? error.message : String(error)})`);
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
  const max = 2 ** depth - 1;
  if (depth < 8) {
    for (let p = 0; p < width * height; p++) data[p] = sampleAt(png, p) / max;
  } else {
    const values = png.data;
    for (let p = 0; p < width * height; p++) data[p] = values[p * channels] / max;
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
