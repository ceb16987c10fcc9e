/** Test helper: builds a minimal DICOM Part 10 file of one grayscale frame. */
export interface DicomImageSpec {
  rows: number;
  columns: number;
  /** Raw stored words, row-major (bytes when bitsAllocated is 8). */
  pixels: readonly number[];
  bitsAllocated: 8 | 16;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation: 0 | 1;
  photometric: string;
  /** Written as DS when given. */
  slope?: string;
  intercept?: string;
  /** Default Explicit VR Little Endian. */
  transferSyntax?: string;
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/**
 * 128-byte preamble, `DICM`, group 0002 in explicit VR little endian (group length,
 * version, SOP class and instance, transfer syntax), then the image attributes in
 * ascending tag order, encoded as the transfer syntax says (implicit VR for 1.2.840.10008.1.2).
 */
export function dicomBytes(spec: DicomImageSpec): Uint8Array {
  const transferSyntax = spec.transferSyntax ?? EXPLICIT_VR_LITTLE_ENDIAN;
  const implicit = transferSyntax === IMPLICIT_VR_LITTLE_ENDIAN;
  const sopClass = '1.2.840.10008.5.1.4.1.1.7';
  const metaBody = [
    element(0x0002, 0x0001, 'OB', Uint8Array.from([0, 1]), false),
    element(0x0002, 0x0002, 'UI', uid(sopClass), false),
    element(0x0002, 0x0003, 'UI', uid('1.2.3.4.5.6.7'), false),
    element(0x0002, 0x0010, 'UI', uid(transferSyntax), false),
  ];
  const metaLength = metaBody.reduce((sum, e) => sum + e.length, 0);
  const bitsStored = spec.bitsStored ?? spec.bitsAllocated;
  const pixelBytes = new Uint8Array(spec.pixels.length * (spec.bitsAllocated / 8) + ((spec.pixels.length * spec.bitsAllocated) / 8) % 2);
  const view = new DataView(pixelBytes.buffer);
  spec.pixels.forEach((v, p) => (spec.bitsAllocated === 8 ? view.setUint8(p, v) : view.setUint16(2 * p, v, true)));
  const data = [
    element(0x0008, 0x0016, 'UI', uid(sopClass), implicit),
    element(0x0028, 0x0002, 'US', us(1), implicit),
    element(0x0028, 0x0004, 'CS', text(spec.photometric), implicit),
    element(0x0028, 0x0010, 'US', us(spec.rows), implicit),
    element(0x0028, 0x0011, 'US', us(spec.columns), implicit),
    element(0x0028, 0x0100, 'US', us(spec.bitsAllocated), implicit),
    element(0x0028, 0x0101, 'US', us(bitsStored), implicit),
    element(0x0028, 0x0102, 'US', us(spec.highBit ?? bitsStored - 1), implicit),
    element(0x0028, 0x0103, 'US', us(spec.pixelRepresentation), implicit),
    ...(spec.intercept === undefined ? [] : [element(0x0028, 0x1052, 'DS', text(spec.intercept), implicit)]),
    ...(spec.slope === undefined ? [] : [element(0x0028, 0x1053, 'DS', text(spec.slope), implicit)]),
    element(0x7fe0, 0x0010, spec.bitsAllocated === 8 ? 'OB' : 'OW', pixelBytes, implicit),
  ];
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, element(0x0002, 0x0000, 'UL', ul(metaLength), false), ...metaBody, ...data]);
}

function element(group: number, tag: number, vr: string, value: Uint8Array, implicit: boolean): Uint8Array {
  const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
  const headerLength = implicit ? 8 : long ? 12 : 8;
  const out = new Uint8Array(headerLength + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, tag, true);
  if (implicit) {
    view.setUint32(4, value.length, true);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, value.length, true);
    else view.setUint16(6, value.length, true);
  }
  out.set(value, headerLength);
  return out;
}

const uid = (value: string): Uint8Array => padded(value, 0);
const text = (value: string): Uint8Array => padded(value, 0x20);
const us = (value: number): Uint8Array => Uint8Array.from([value & 0xff, value >> 8]);
const ul = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
};

function padded(value: string, pad: number): Uint8Array {
  const bytes = Array.from(value, (c) => c.charCodeAt(0));
  if (bytes.length % 2 === 1) bytes.push(pad);
  return Uint8Array.from(bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
