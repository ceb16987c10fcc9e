import { hasPngSignature } from 'fast-png';
import { decodeDicomGrayscale } from './decode-dicom-grayscale.ts';
import { decodeJpegGrayscale } from './decode-jpeg-grayscale.ts';
import { decodePngGrayscale } from './decode-png-grayscale.ts';
import type { GrayscaleImage } from './grayscale-image.ts';

/**
 * Decodes an image file to one channel in [0, 1], as the official training path does
 * (docs/models.md §13.2): integer values divided by their maximum, and of a
 * multi-channel image only channel 0. The format is told by the file's first bytes,
 * not its name: the PNG signature, a JPEG start-of-image (FF D8), or `DICM` at byte
 * 128 (DICOM Part 10). See decode-png-grayscale.ts, decode-jpeg-grayscale.ts and
 * decode-dicom-grayscale.ts for what each reads.
 *
 * @param file the file's path, for error messages.
 */
export function decodeGrayscaleImage(bytes: Uint8Array, file: string): GrayscaleImage {
  if (hasPngSignature(bytes)) return decodePngGrayscale(bytes, file);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpegGrayscale(bytes, file);
  if (bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM') return decodeDicomGrayscale(bytes, file);
  const found = bytes.length === 0 ? 'an empty file' : `first bytes ${hex(bytes.subarray(0, 8))}`;
  throw new Error(
    `${file}: unsupported image format (${found}); expected PNG, JPEG or DICOM Part 10 (with "DICM" at byte 128), ` +
      'recognised by content, not by file extension',
  );
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
