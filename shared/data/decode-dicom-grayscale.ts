import dicomParser, { type DataSet } from 'dicom-parser';
import type { GrayscaleImage } from './grayscale-image.ts';

/** Transfer syntaxes whose pixel data is read as it lies in the file. */
const READABLE_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
};

/** Names of common unreadable transfer syntaxes, for the error message. */
const OTHER_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/**
 * A DICOM Part 10 file (128-byte preamble, `DICM`, file meta group) as one channel in
 * [0, 1]. Read: uncompressed little-endian pixel data (implicit or explicit VR), one
 * sample per pixel, MONOCHROME1 or MONOCHROME2, BitsAllocated 8 or 16, any BitsStored
 * and HighBit inside them, PixelRepresentation 0 (unsigned) or 1 (two's complement).
 * Of a multi-frame file only frame 0 is read, as the official loaders keep the first
 * slice. Any other transfer syntax is refused with its UID: decompress the file first.
 *
 * Values: stored value v → modality value slope · v + intercept (Rescale Slope and
 * Intercept, default 1 and 0) → min–max scaled over the range every stored value of
 * that BitsStored and sign can take, rescaled the same way, so that the lowest possible
 * value is 0 and the highest 1 → for MONOCHROME1 (low = white) 1 − value.
 *
 * Why the possible range and not a window: it is the rule the PNG reader applies
 * (÷ 2^depth − 1), it keeps every image of a series on one fixed scale whatever its own
 * content, and it loses nothing (no clipping). Window Center/Width and VOI LUTs are
 * display settings, often absent or several per file, and are ignored. A consequence:
 * with a positive slope the rescale cancels out in the min–max; a negative slope flips
 * the image, as it flips the modality values.
 *
 * @param file the file's path, for error messages.
 */
export function decodeDicomGrayscale(bytes: Uint8Array, file: string): GrayscaleImage {
  const dataSet = parseDicomFile(bytes, file);
  return decodePixels(dataSet, readPixelFormat(dataSet, file), file);
}

function parseDicomFile(bytes: Uint8Array, file: string): DataSet {
  let meta: DataSet;
  try {
    meta = dicomParser.readPart10Header(bytes);
  } catch (error) {
    throw new Error(`${file}: not a readable DICOM file (${reason(error)})`);
  }
  const transferSyntax = meta.string('x00020010');
  if (transferSyntax === undefined) throw new Error(`${file}: DICOM file meta has no TransferSyntaxUID (0002,0010)`);
  if (READABLE_TRANSFER_SYNTAXES[transferSyntax] === undefined) {
    const name = OTHER_TRANSFER_SYNTAXES[transferSyntax];
    throw new Error(
      `${file}: DICOM transfer syntax ${transferSyntax}${name === undefined ? '' : ` (${name})`} is not supported; ` +
        'only uncompressed little endian (1.2.840.10008.1.2, 1.2.840.10008.1.2.1) is read — ' +
        'decompress the file first (e.g. `gdcmconv --raw` or `dcmdjpeg`)',
    );
  }
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch (error) {
    throw new Error(`${file}: not a readable DICOM file (${reason(error)})`);
  }
  return dataSet;
}

/** What the pixel data holds, as the image pixel module says, refused where it is not read. */
interface PixelFormat {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  slope: number;
  intercept: number;
  invert: boolean;
}

function readPixelFormat(dataSet: DataSet, file: string): PixelFormat {
  const field = (tag: string, name: string, fallback?: number): number => {
    const value = dataSet.elements[tag] === undefined ? undefined : readNumber(dataSet, tag);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${file}: DICOM ${name} (${tagLabel(tag)}) is missing`);
    }
    if (!Number.isFinite(value)) throw new Error(`${file}: DICOM ${name} (${tagLabel(tag)}) is not a number`);
    return value;
  };
  const rows = field('x00280010', 'Rows');
  const columns = field('x00280011', 'Columns');
  const bitsAllocated = field('x00280100', 'BitsAllocated');
  const bitsStored = field('x00280101', 'BitsStored', bitsAllocated);
  const highBit = field('x00280102', 'HighBit', bitsStored - 1);
  const pixelRepresentation = field('x00280103', 'PixelRepresentation');
  const samplesPerPixel = field('x00280002', 'SamplesPerPixel', 1);
  const slope = field('x00281053', 'RescaleSlope', 1);
  const intercept = field('x00281052', 'RescaleIntercept', 0);
  const photometric = dataSet.string('x00280004');

  const unsupported = (what: string): Error => new Error(`${file}: ${what} is not supported`);
  if (rows < 1 || columns < 1) throw new Error(`${file}: DICOM image is ${rows}×${columns}; Rows and Columns must be positive`);
  if (samplesPerPixel !== 1) throw unsupported(`DICOM SamplesPerPixel ${samplesPerPixel} (only 1: grayscale)`);
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') {
    throw unsupported(`DICOM PhotometricInterpretation ${photometric ?? '(missing)'} (only MONOCHROME1, MONOCHROME2)`);
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw unsupported(`DICOM BitsAllocated ${bitsAllocated} (only 8, 16)`);
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > bitsAllocated) {
    throw unsupported(`DICOM BitsStored ${bitsStored} with BitsAllocated ${bitsAllocated}`);
  }
  if (!Number.isInteger(highBit) || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw unsupported(`DICOM HighBit ${highBit} with BitsStored ${bitsStored} and BitsAllocated ${bitsAllocated}`);
  }
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw unsupported(`DICOM PixelRepresentation ${pixelRepresentation} (only 0, 1)`);
  if (slope === 0) throw new Error(`${file}: DICOM RescaleSlope is 0, which maps every pixel to one value`);
  const invert = photometric === 'MONOCHROME1';
  return { rows, columns, bitsAllocated, bitsStored, highBit, signed: pixelRepresentation === 1, slope, intercept, invert };
}

function decodePixels(dataSet: DataSet, format: PixelFormat, file: string): GrayscaleImage {
  const { rows, columns, bitsAllocated, bitsStored, highBit, signed, slope, intercept, invert } = format;
  const pixelData = dataSet.elements.x7fe00010;
  if (pixelData === undefined) throw new Error(`${file}: DICOM file has no PixelData (7FE0,0010)`);
  const bytesPerSample = bitsAllocated / 8;
  const needed = rows * columns * bytesPerSample;
  if (pixelData.encapsulatedPixelData === true || pixelData.length < needed) {
    throw new Error(`${file}: DICOM PixelData has ${pixelData.length} bytes; ${rows}×${columns} pixels of ${bitsAllocated} bits need ${needed}`);
  }

  const source = dataSet.byteArray;
  const view = new DataView(source.buffer, source.byteOffset + pixelData.dataOffset, needed);
  const shift = highBit + 1 - bitsStored;
  const levels = 2 ** bitsStored;
  const lowest = signed ? -levels / 2 : 0;
  const highest = signed ? levels / 2 - 1 : levels - 1;
  const ends = [slope * lowest + intercept, slope * highest + intercept];
  const min = Math.min(...ends);
  const span = Math.max(...ends) - min;
  const data = new Float32Array(rows * columns);
  for (let p = 0; p < data.length; p++) {
    const word = bytesPerSample === 1 ? view.getUint8(p) : view.getUint16(2 * p, true);
    let stored = Math.floor(word / 2 ** shift) % levels;
    if (signed && stored >= levels / 2) stored -= levels;
    const value = (slope * stored + intercept - min) / span;
    data[p] = invert ? 1 - value : value;
  }
  return { data, height: rows, width: columns };
}

/** A number from a binary (US, SS) or string (IS, DS) element, whichever VR it has. */
function readNumber(dataSet: DataSet, tag: string): number | undefined {
  const element = dataSet.elements[tag];
  const vr = element.vr;
  if (vr === 'DS' || vr === 'IS') return dataSet.floatString(tag);
  if (vr === 'SS') return dataSet.int16(tag);
  if (vr === 'US') return dataSet.uint16(tag);
  // Implicit VR: every attribute read here is US except the rescale (DS).
  return STRING_VALUED_TAGS.has(tag) ? dataSet.floatString(tag) : dataSet.uint16(tag);
}

const STRING_VALUED_TAGS = new Set(['x00281052', 'x00281053']);

function tagLabel(tag: string): string {
  return `${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()}`;
}

/** dicom-parser throws strings, Errors, or `{exception, dataSet}` wrapping either. */
function reason(error: unknown): string {
  const inner = error !== null && typeof error === 'object' && 'exception' in error ? error.exception : error;
  return inner instanceof Error ? inner.message : String(inner);
}
