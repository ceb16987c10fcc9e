import { describe, expect, test } from 'vitest';
import { readSafetensors, readSafetensorsMetadata, writeSafetensors, type SafetensorsTensor } from '../../../../shared/ml/weights/safetensors.ts';

/** A file assembled by hand from the format description, independent of writeSafetensors. */
function handMade(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  test('reads a hand-made file: F32 little-endian and I64', () => {
    const f32 = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    const i64 = new Uint8Array(new BigInt64Array([7n]).buffer);
    const bytes = handMade(
      { 'a.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] }, 'a.n': { dtype: 'I64', shape: [], data_offsets: [8, 16] }, __metadata__: { format: 'pt' } },
      [...f32, ...i64],
    );
    const tensors = readSafetensors(bytes);
    expect(tensors.get('a.weight')).toEqual({ dtype: 'F32', shape: [1, 2], data: new Float32Array([1.5, -2]) });
    expect(tensors.get('a.n')).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([7n]) });
    expect(readSafetensorsMetadata(bytes)).toEqual({ format: 'pt' });
  });

  test('round-trips every dtype in order, with metadata and 8-byte aligned data', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      ['f32', { dtype: 'F32', shape: [2, 3], data: new Float32Array([0, 1, -2.5, 3.25, 1e-8, 6e7]) }],
      ['f64', { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, -1e300]) }],
      ['i64', { dtype: 'I64', shape: [3], data: new BigInt64Array([0n, -5n, 2n ** 40n]) }],
      ['i32', { dtype: 'I32', shape: [1], data: new Int32Array([-7]) }],
      ['u8', { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) }],
      ['f16', { dtype: 'F16', shape: [5], data: new Float32Array([1, -2, 0.5, 65504, 2 ** -24]) }],
      ['bf16', { dtype: 'BF16', shape: [2], data: new Float32Array([1, -3.5]) }],
    ]);
    const bytes = writeSafetensors(tensors, { source: 'test' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect([...back.keys()]).toEqual([...tensors.keys()]);
    expect(back).toEqual(tensors);
    expect(readSafetensorsMetadata(bytes)).toEqual({ source: 'test' });
  });

  test('reads a file handed over as a Node Buffer from a shared pool (as readFile returns it)', async () => {
    const { writeFile, readFile, mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const values = new Float32Array([1.5, -2.25, 3.125]);
    const file = join(await mkdtemp(join(tmpdir(), 'aelab-st-')), 'w.safetensors');
    await writeFile(file, writeSafetensors(new Map([['w', { dtype: 'F32', shape: [3], data: values }]])));
    const pooled = Buffer.concat([Buffer.from('padding'), await readFile(file)]).subarray(7);
    expect(Array.from(readSafetensors(pooled).get('w')?.data as Float32Array)).toEqual([1.5, -2.25, 3.125]);
  });

  test('F16 narrowing rounds to nearest even and saturates to infinity', () => {
    const back = readSafetensors(writeSafetensors(new Map([['h', { dtype: 'F16', shape: [3], data: new Float32Array([1 + 2 ** -11, 0.1, 1e6]) }]])));
    expect(Array.from(back.get('h')!.data as Float32Array)).toEqual([1, 0.0999755859375, Infinity]);
  });

  test('malformed files are refused with the reason and the tensor name', () => {
    expect(() => readSafetensors(new Uint8Array(4), 'w.safetensors')).toThrow('w.safetensors: too short');
    expect(() => readSafetensors(handMade({}, []).subarray(0, 9))).toThrow(/header length 2 does not fit/);
    const bad = handMade({}, []);
    bad[8] = 0x7b;
    bad[9] = 0x7b;
    expect(() => readSafetensors(bad)).toThrow(/header is not valid JSON/);
    expect(() => readSafetensors(handMade({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Array(8).fill(0)))).toThrow(
      /tensor x: unsupported dtype "C64"/,
    );
    expect(() => readSafetensors(handMade({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Array(8).fill(0)))).toThrow(
      /tensor x: 8 bytes for F32 shape \[3\], expected 12/,
    );
    expect(() => readSafetensors(handMade({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Array(8).fill(0)))).toThrow(
      /tensor x: data_offsets \[0, 16\] lie outside the 8 data bytes/,
    );
  });

  test('writing refuses data that does not match the dtype or the shape', () => {
    expect(() => writeSafetensors(new Map([['x', { dtype: 'I64', shape: [1], data: new Float32Array(1) }]]))).toThrow(/tensor x: dtype I64 needs a BigInt64Array/);
    expect(() => writeSafetensors(new Map([['x', { dtype: 'F32', shape: [2], data: new Float32Array(3) }]]))).toThrow(/tensor x has 3 values for shape \[2\]/);
  });
});
