import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataLoaderConfig } from '../../../shared/config/experiment-config.ts';
import { openDataset } from '../../../shared/data/open-dataset.ts';
import { sequentialOrder } from '../../../shared/data/batch-iterator.ts';
import { dicomBytes } from './dicom-bytes.ts';

function csvLoader(dataDir: Partial<DataLoaderConfig['dataDir']>, targetSize: [number, number], args: Record<string, unknown> = {}): DataLoaderConfig {
  return { name: 'csv', dataDir: { train: [], val: [], test: [], ...dataDir }, targetSize, batchSize: 8, args };
}

function phantomLoader(args: Record<string, unknown>, targetSize: [number, number] = [16, 16]): DataLoaderConfig {
  return { name: 'phantoms', dataDir: { train: [], val: [], test: [] }, targetSize, batchSize: 8, args };
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aelab-data-'));
  await mkdir(join(root, 'images'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const writePng = (name: string, png: Parameters<typeof encode>[0]) => writeFile(join(root, 'images', name), encode(png));
const writeCsv = (name: string, rows: string[], eol = '\r\n') => writeFile(join(root, name), ['filename', ...rows].join(eol) + eol);

describe('openDataset csv', () => {
  it('reads 16-bit and 8-bit grayscale PNGs to [0, 1] (÷65535, ÷255)', async () => {
    await writePng('deep.png', { width: 2, height: 2, depth: 16, channels: 1, data: Uint16Array.from([0, 65535, 32768, 1000]) });
    await writePng('byte.png', { width: 2, height: 2, depth: 8, channels: 1, data: Uint8Array.from([0, 255, 128, 7]) });
    await writeCsv('train.csv', ['./images/deep.png', 'images/byte.png']);
    const dataset = await openDataset(csvLoader({ train: ['train.csv'] }, [2, 2]), 'train', { dataRoot: root });
    expect(dataset.size).toBe(2);
    const batch = await dataset.load([0, 1]);
    const expected = [0, 1, 32768 / 65535, 1000 / 65535, 0, 1, 128 / 255, 7 / 255];
    batch.images.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
    expect(batch.names).toEqual(['./images/deep.png', 'images/byte.png']);
    expect(batch.masks).toBeUndefined();
  });

  it('takes channel 0 of RGB, RGBA and gray+alpha PNGs, and reads palette and 2-bit PNGs', async () => {
    await writePng('rgb.png', { width: 2, height: 1, depth: 8, channels: 3, data: Uint8Array.from([51, 0, 255, 204, 255, 0]) });
    await writePng('rgba.png', { width: 2, height: 1, depth: 8, channels: 4, data: Uint8Array.from([102, 1, 2, 3, 255, 9, 9, 0]) });
    await writePng('ga.png', { width: 2, height: 1, depth: 16, channels: 2, data: Uint16Array.from([65535, 0, 0, 65535]) });
    await writePng('palette.png', { width: 2, height: 1, depth: 8, channels: 1, data: Uint8Array.from([1, 0]), palette: [[10, 0, 0], [153, 200, 200]] });
    // Four 2-bit pixels packed into one byte: 0, 1, 2, 3 → 0, 1/3, 2/3, 1.
    await writePng('two-bit.png', { width: 4, height: 1, depth: 2, channels: 1, data: Uint8Array.from([0b00011011]) });
    await writeCsv('test.csv', ['images/rgb.png', 'images/rgba.png', 'images/ga.png', 'images/palette.png']);
    await writeCsv('bits.csv', ['images/two-bit.png']);
    const batch = await (await openDataset(csvLoader({ test: ['test.csv'] }, [1, 2]), 'test', { dataRoot: root })).load([0, 1, 2, 3]);
    const expected = [0.2, 0.8, 0.4, 1, 1, 0, 0.6, 10 / 255];
    batch.images.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
    const bits = await (await openDataset(csvLoader({ test: ['bits.csv'] }, [1, 4]), 'test', { dataRoot: root })).load([0]);
    bits.images.forEach((v, k) => expect(v).toBeCloseTo(k / 3, 6));
  });

  it('resizes to the target size with half-pixel bilinear sampling', async () => {
    await writePng('tiny.png', { width: 2, height: 2, depth: 8, channels: 1, data: Uint8Array.from([0, 51, 102, 153]) });
    await writeCsv('val.csv', ['images/tiny.png'], '\n');
    const batch = await (await openDataset(csvLoader({ val: ['val.csv'] }, [4, 4]), 'val', { dataRoot: root })).load([0]);
    // The 2×2 → 4×4 case of resize-bilinear.test.ts, scaled by 0.2 (51/255).
    const expected = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3].map((v) => v * 0.2);
    batch.images.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
  });

  it('concatenates several CSVs of a split and reads CSVs relative to AELAB_DATA_ROOT by default', async () => {
    await writePng('a.png', { width: 1, height: 1, depth: 8, channels: 1, data: Uint8Array.from([255]) });
    await writeCsv('one.csv', ['images/a.png']);
    await writeCsv('two.csv', ['images/a.png', 'images/a.png'], '\n');
    const previous = process.env.AELAB_DATA_ROOT;
    process.env.AELAB_DATA_ROOT = root;
    try {
      const dataset = await openDataset(csvLoader({ train: ['one.csv', join(root, 'two.csv')] }, [1, 1]), 'train');
      expect(dataset.size).toBe(3);
      expect(dataset.source).toBe(`${join(root, 'one.csv')}, ${join(root, 'two.csv')}`);
    } finally {
      if (previous === undefined) delete process.env.AELAB_DATA_ROOT;
      else process.env.AELAB_DATA_ROOT = previous;
    }
  });

  it('rejects a CSV that lists a missing file before loading anything, naming CSV, row and file', async () => {
    await writePng('ok.png', { width: 1, height: 1, depth: 8, channels: 1, data: Uint8Array.from([1]) });
    await writeCsv('train.csv', ['images/ok.png', 'images/gone.png', 'images/ok.png', 'images/gone-too.png']);
    await expect(openDataset(csvLoader({ train: ['train.csv'] }, [1, 1]), 'train', { dataRoot: root })).rejects.toThrow(
      `split CSV ${join(root, 'train.csv')}: data row 2 (line 3): image not found: images/gone.png (resolved to ${join(root, 'images/gone.png')}); 1 more row(s)`,
    );
  });

  it('rejects a missing CSV, a CSV without a filename header, and a corrupt image with clear messages', async () => {
    const loader = (csv: string) => csvLoader({ test: [csv] }, [1, 1]);
    await expect(openDataset(loader('nope.csv'), 'test', { dataRoot: root })).rejects.toThrow(`split CSV ${join(root, 'nope.csv')}: file not found`);
    await writeFile(join(root, 'bad.csv'), 'path\r\nimages/a.png\r\n');
    await expect(openDataset(loader('bad.csv'), 'test', { dataRoot: root })).rejects.toThrow(/line 1 must be a header with a 'filename' column, found "path"/);
    await writeFile(join(root, 'images', 'photo.jpg'), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    await writeCsv('jpeg.csv', ['images/photo.jpg']);
    const dataset = await openDataset(loader('jpeg.csv'), 'test', { dataRoot: root });
    await expect(dataset.load([0])).rejects.toThrow(
      `split CSV ${join(root, 'jpeg.csv')}: data row 1 (line 2): ${join(root, 'images/photo.jpg')}: not a readable JPEG`,
    );
    await expect(openDataset(csvLoader({}, [1, 1]), 'train', { dataRoot: root })).rejects.toThrow(/data_dir.train lists no CSV/);
  });

  it('reads JPEG and DICOM files listed in a CSV, told by content whatever their extension', async () => {
    const jpeg = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(200) }, 100).data;
    await writeFile(join(root, 'images', 'looks-like.png'), jpeg);
    const dicom = dicomBytes({ rows: 8, columns: 8, bitsAllocated: 8, pixelRepresentation: 0, photometric: 'MONOCHROME1', pixels: new Array(64).fill(51) });
    await writeFile(join(root, 'images', 'scan'), dicom);
    await writeCsv('mixed.csv', ['images/looks-like.png', 'images/scan']);
    const batch = await (await openDataset(csvLoader({ test: ['mixed.csv'] }, [2, 2]), 'test', { dataRoot: root })).load([0, 1]);
    batch.images.subarray(0, 4).forEach((v) => expect(Math.abs(v * 255 - 200)).toBeLessThanOrEqual(1));
    batch.images.subarray(4).forEach((v) => expect(v).toBeCloseTo(1 - 51 / 255, 6));
  });

  it('resizes by args.resize: bilinear (default, training path) or antialias (downstream path)', async () => {
    await writePng('ramp.png', { width: 4, height: 1, depth: 8, channels: 1, data: Uint8Array.from([0, 100, 200, 255]) });
    await writeCsv('ramp.csv', ['images/ramp.png']);
    const load = async (args: Record<string, unknown>) =>
      Array.from((await (await openDataset(csvLoader({ test: ['ramp.csv'] }, [1, 2], args), 'test', { dataRoot: root })).load([0])).images, (v) => v * 255);
    const bilinear = await load({});
    [50, 227.5].forEach((v, k) => expect(bilinear[k]).toBeCloseTo(v, 4));
    expect(await load({ resize: 'bilinear' })).toEqual(bilinear);
    (await load({ resize: 'antialias' })).forEach((v, k) => expect(v).toBeCloseTo([71, 209][k], 4));
    await expect(load({ resize: 'nearest' })).rejects.toThrow('csv loader: args.resize must be one of bilinear, antialias, got "nearest"');
  });

  it('reads masks from label_dir row for row, as 0/1', async () => {
    await writePng('x.png', { width: 2, height: 1, depth: 8, channels: 1, data: Uint8Array.from([10, 20]) });
    await writePng('m.png', { width: 2, height: 1, depth: 8, channels: 1, data: Uint8Array.from([0, 255]) });
    await writeCsv('x.csv', ['images/x.png']);
    await writeCsv('m.csv', ['images/m.png']);
    await writeCsv('m2.csv', ['images/m.png', 'images/m.png']);
    const batch = await (await openDataset(csvLoader({ test: ['x.csv'] }, [1, 2], { label_dir: { test: ['m.csv'] } }), 'test', { dataRoot: root })).load([0]);
    expect(Array.from(batch.masks ?? [])).toEqual([0, 1]);
    await expect(openDataset(csvLoader({ test: ['x.csv'] }, [1, 2], { label_dir: ['m2.csv'] }), 'test', { dataRoot: root })).rejects.toThrow(
      /mask CSV .*m2.csv has 2 data rows but image CSV .*x.csv has 1/,
    );
  });
});

describe('openDataset phantoms', () => {
  it('opens the normal splits with their counts, rendered at the target size', async () => {
    const args = { train_count: 5, val_count: 3, test_count: 2, seed: 4 };
    const [train, val, test] = await Promise.all((['train', 'val', 'test'] as const).map((s) => openDataset(phantomLoader(args, [24, 20]), s)));
    expect([train.size, val.size, test.size]).toEqual([5, 3, 2]);
    expect([train.height, train.width]).toEqual([24, 20]);
    expect(train.source).toBe('phantoms(seed=4, train)');
    const batch = await val.load(sequentialOrder(3));
    expect(batch.images).toHaveLength(3 * 24 * 20);
    expect(Array.from(batch.labels ?? [])).toEqual([0, 0, 0]);
    expect(batch.names).toEqual(['phantom-val-000000', 'phantom-val-000001', 'phantom-val-000002']);
  });

  it('opens a pathology test set with labels and masks; count overrides the size', async () => {
    const dataset = await openDataset(phantomLoader({ seed: 8, pathology: 'effusion', count: 3 }), 'test');
    expect(dataset.size).toBe(3);
    const batch = await dataset.load([2, 0]);
    expect(batch.names).toEqual(['phantom-effusion-000002', 'phantom-effusion-000000']);
    expect(Array.from(batch.labels ?? [])).toEqual([1, 1]);
    expect(batch.masks?.some((m) => m === 1)).toBe(true);
    const defaults = await openDataset(phantomLoader({ pathology: 'nodule', test_count: 6 }), 'test');
    expect(defaults.size).toBe(6);
  });

  it('uses the documented defaults', async () => {
    const sizes = await Promise.all((['train', 'val', 'test'] as const).map(async (s) => (await openDataset(phantomLoader({}), s)).size));
    expect(sizes).toEqual([256, 32, 32]);
    expect((await openDataset(phantomLoader({}), 'train')).source).toBe('phantoms(seed=7, train)');
  });

  it('rejects unknown loaders, unknown args and bad values, naming them', async () => {
    await expect(openDataset({ ...phantomLoader({}), name: 'celeba' }, 'train')).rejects.toThrow("unknown dataset loader 'celeba'; known: phantoms, csv, idx");
    await expect(openDataset(phantomLoader({ train_cont: 5 }), 'train')).rejects.toThrow(/unknown args.train_cont; known: train_count/);
    await expect(openDataset(phantomLoader({ train_count: -1 }), 'train')).rejects.toThrow(/args.train_count must be a non-negative integer, got -1/);
    await expect(openDataset(phantomLoader({ seed: 'x' }), 'train')).rejects.toThrow(/args.seed must be an integer/);
    await expect(openDataset(phantomLoader({ pathology: 'tumour' }), 'test')).rejects.toThrow(/args.pathology must be null or one of opacity, nodule, effusion/);
    await expect(openDataset(phantomLoader({ pathology: 'nodule' }), 'train')).rejects.toThrow(/cannot be opened as split 'train'/);
    await expect(openDataset(phantomLoader({ num_workers: 2 }), 'val')).resolves.toBeDefined();
  });
});
