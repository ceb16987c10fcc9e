import { decode } from 'jpeg-js';
import type { GrayscaleImage } from './grayscale-image.ts';

/**
 * A baseline or progressive JPEG as one channel in [0, 1]: the 8-bit values ÷ 255; a
 * grayscale JPEG gives its only channel, a colour JPEG channel 0 of its RGB conversion
 * (red), as the official training path keeps channel 0 (docs/models.md §13.2).
 *
 * Decoded with jpeg-js, whose IDCT and chroma upsampling are not libjpeg's: values may
 * differ from the official `read_image` by a level or so (grayscale JPEGs have no
 * upsampling, so only the IDCT rounding differs). jpeg-js converts an Adobe CMYK JPEG to
 * RGB first.
 *
 * @param file the file's path, for error messages.
 */
export function decodeJpegGrayscale(bytes: Uint8Array, file: string): GrayscaleImage {
  let rgb: { width: number; height: number; data: Uint8Array };
  try {
    rgb = decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (error) {
    throw new Error(`${file}: not a readable JPEG (${error instanceof Error ? error.message : String(error)})`);
  }
  const { width, height } = rgb;
  if (width < 1 || height < 1) throw new Error(`${file}: not a readable JPEG (no image frame)`);
  const data = new Float32Array(width * height);
  for (let p = 0; p < data.length; p++) data[p] = rgb.data[p * 3] / 255;
  return { data, height, width };
}
