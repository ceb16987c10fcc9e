import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeGrayscaleImage } from '../../../shared/data/decode-grayscale-image.ts';
import { dicomBytes, IMPLICIT_VR_LITTLE_ENDIAN } from './dicom-bytes.ts';

const close = (actual: Float32Array, expected: number[], digits = 6) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, k) => expect(v).toBeCloseTo(expected[k], digits));
};

/** An RGBA buffer of width × height pixels, each [r, g, b] from `colour(x, y)`. */
function rgba(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
  }
  return data;
}

describe('decodeGrayscaleImage: JPEG', () => {
  it('reads a gray JPEG to [0, 1] within a level of the encoded values', () => {
    // Each 8×8 block is flat, so the only loss is rounding.
    const jpeg = encodeJpeg({ width: 16, height: 8, data: rgba(16, 8, (x) => (x < 8 ? [200, 200, 200] : [40, 40, 40])) }, 100).data;
    const image = decodeGrayscaleImage(jpeg, 'gray.jpg');
    expect([image.height, image.width]).toEqual([8, 16]);
    image.data.forEach((v, p) => expect(Math.abs(v * 255 - (p % 16 < 8 ? 200 : 40))).toBeLessThanOrEqual(1));
  });

  it('takes channel 0 (red) of a colour JPEG, not its luminance', () => {
    const jpeg = encodeJpeg({ width: 8, height: 8, data: rgba(8, 8, () => [200, 10, 90]) }, 100).data;
    const image = decodeGrayscaleImage(jpeg, 'colour.jpg');
    // Luminance would be about 0.299·200 + 0.587·10 + 0.114·90 ≈ 76.
    image.data.forEach((v) => expect(Math.abs(v * 255 - 200)).toBeLessThanOrEqual(2));
  });

  it('names the file of a corrupt JPEG', () => {
    const jpeg = encodeJpeg({ width: 8, height: 8, data: rgba(8, 8, () => [1, 2, 3]) }, 90).data;
    expect(() => decodeGrayscaleImage(Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]), 'bad.jpg')).toThrow(/bad\.jpg: not a readable JPEG/);
    expect(() => decodeGrayscaleImage(jpeg.subarray(0, 40), 'cut.jpg')).toThrow(/cut\.jpg: not a readable JPEG/);
  });
});

describe('decodeGrayscaleImage: DICOM', () => {
  it('reads 12 of 16 bits, applies rescale slope/intercept and inverts MONOCHROME1', () => {
    const file = dicomBytes({
      rows: 2,
      columns: 2,
      bitsAllocated: 16,
      bitsStored: 12,
      highBit: 11,
      pixelRepresentation: 0,
      photometric: 'MONOCHROME1',
      slope: '2',
      intercept: '-1024',
      // The last word has bits above HighBit set: they are not part of the value (100).
      pixels: [0, 4095, 1000, 0xf000 | 100],
    });
    // Modality values 2v − 1024 over the possible range [−1024, 7166], then 1 − x.
    close(decodeGrayscaleImage(file, 'mono1.dcm').data, [1, 0, 1 - 2000 / 8190, 1 - 200 / 8190]);
  });

  it('flips the image for a negative rescale slope (MONOCHROME2)', () => {
    const file = dicomBytes({ rows: 1, columns: 3, bitsAllocated: 8, pixelRepresentation: 0, photometric: 'MONOCHROME2', slope: '-1', intercept: '0', pixels: [0, 51, 255] });
    close(decodeGrayscaleImage(file, 'neg.dcm').data, [1, 204 / 255, 0]);
  });

  it('reads implicit VR, signed 12-bit values in 16 bits (two’s complement, sign bit = HighBit)', () => {
    const file = dicomBytes({
      transferSyntax: IMPLICIT_VR_LITTLE_ENDIAN,
      rows: 1,
      columns: 4,
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 1,
      photometric: 'MONOCHROME2',
      pixels: [0x0800, 0x07ff, 0x0fff, 0],
    });
    // −2048, 2047, −1, 0 over [−2048, 2047].
    close(decodeGrayscaleImage(file, 'signed.dcm').data, [0, 1, 2047 / 4095, 2048 / 4095]);
  });

  it('reads an 8-bit image without rescale attributes as ÷ 255, 1 × 3 with odd-length pixel data', () => {
    const file = dicomBytes({ rows: 1, columns: 3, bitsAllocated: 8, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels: [0, 128, 255] });
    const image = decodeGrayscaleImage(file, 'byte.dcm');
    expect([image.height, image.width]).toEqual([1, 3]);
    close(image.data, [0, 128 / 255, 1]);
  });

  it('refuses a compressed transfer syntax with the file and the UID', () => {
    const file = dicomBytes({
      transferSyntax: '1.2.840.10008.1.2.4.50',
      rows: 1,
      columns: 1,
      bitsAllocated: 8,
      pixelRepresentation: 0,
      photometric: 'MONOCHROME2',
      pixels: [0],
    });
    expect(() => decodeGrayscaleImage(file, 'scans/ct.dcm')).toThrow(
      /scans\/ct\.dcm: DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50 \(JPEG Baseline\) is not supported/,
    );
  });

  it('refuses colour and truncated pixel data, naming the file', () => {
    const rgb = dicomBytes({ rows: 1, columns: 1, bitsAllocated: 8, pixelRepresentation: 0, photometric: 'RGB', pixels: [0] });
    expect(() => decodeGrayscaleImage(rgb, 'rgb.dcm')).toThrow(/rgb\.dcm: DICOM PhotometricInterpretation RGB .* is not supported/);
    const whole = dicomBytes({ rows: 4, columns: 4, bitsAllocated: 16, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels: new Array(16).fill(7) });
    expect(() => decodeGrayscaleImage(whole.subarray(0, whole.length - 10), 'cut.dcm')).toThrow(/^cut\.dcm: not a readable DICOM file \(.*buffer overrun\)/);
  });
});

describe('decodeGrayscaleImage: format detection', () => {
  it('tells the format by content and names the file of an unknown one', () => {
    expect(() => decodeGrayscaleImage(new TextEncoder().encode('GIF89a...'), 'x.png')).toThrow(
      /x\.png: unsupported image format \(first bytes 47 49 46 38 39 61 2e 2e\); expected PNG, JPEG or DICOM/,
    );
    expect(() => decodeGrayscaleImage(new Uint8Array(0), 'empty.png')).toThrow(/empty\.png: unsupported image format \(an empty file\)/);
  });
});
