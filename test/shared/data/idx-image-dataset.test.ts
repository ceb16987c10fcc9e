import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataLoaderConfig } from '../../../shared/config/experiment-config.ts';
import { loadExperimentConfigFile } from '../../../shared/config/load-experiment-config.ts';
import { downstreamDatasetLoader } from '../../../shared/data/downstream-dataset-loader.ts';
import { openDataset } from '../../../shared/data/open-dataset.ts';

/** An IDX file of unsigned bytes: 0, 0, 0x08, dimension count, big-endian sizes, values. */
function idx(shape: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, shape.length]);
  shape.forEach((size, d) => view.setUint32(4 + 4 * d, size, false));
  out.set(values, 4 + 4 * shape.length);
  return out;
}

function idxLoader(args: Record<string, unknown>, targetSize: [number, number] = [2, 2]): DataLoaderConfig {
  return { name: 'idx', dataDir: { train: [], val: [], test: [] }, targetSize, batchSize: 8, args };
}

// Four 2×2 images of classes 0, 1, 0, 2; image k holds 20k, 20k + 5, 20k + 10, 20k + 15.
const IMAGES = idx([4, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((v) => v * 5));
const LABELS = idx([4], [0, 1, 0, 2]);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aelab-idx-'));
  await writeFile(join(root, 'images-idx3-ubyte'), IMAGES);
  await writeFile(join(root, 'labels-idx1-ubyte.gz'), gzipSync(LABELS));
  await writeFile(join(root, 'images-idx3-ubyte.gz'), gzipSync(IMAGES));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('openDataset idx', () => {
  it('keeps only the images of args.classes, ÷ 255, named by their index in the file', async () => {
    const dataset = await openDataset(idxLoader({ images: 'images-idx3-ubyte', labels: 'labels-idx1-ubyte.gz', classes: [0] }), 'train', { dataRoot: root });
    expect(dataset.size).toBe(2);
    expect(dataset.source).toBe('idx(images-idx3-ubyte, classes [0])');
    const batch = await dataset.load([1, 0]);
    expect(batch.names).toEqual(['images-idx3-ubyte#2', 'images-idx3-ubyte#0']);
    const expected = [40, 45, 50, 55, 0, 5, 10, 15].map((v) => v / 255);
    batch.images.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
    expect(batch.labels).toBeUndefined();
  });

  it('reads gzip by content, takes per-split files and classes, and all images without a filter', async () => {
    const args = {
      images: { train: 'images-idx3-ubyte.gz', test: join(root, 'images-idx3-ubyte') },
      labels: 'labels-idx1-ubyte.gz',
      classes: { train: [0], test: null },
    };
    const train = await openDataset(idxLoader(args), 'train', { dataRoot: root });
    const test = await openDataset(idxLoader(args), 'test', { dataRoot: root });
    expect([train.size, test.size]).toEqual([2, 4]);
    expect((await test.load([3])).names).toEqual([`${join(root, 'images-idx3-ubyte')}#3`]);
    const anomalies = await openDataset(idxLoader({ ...args, classes: [1, 2] }), 'test', { dataRoot: root });
    expect((await anomalies.load([0, 1])).names.map((n) => n.split('#')[1])).toEqual(['1', '3']);
    const unlabelled = await openDataset(idxLoader({ images: 'images-idx3-ubyte.gz' }), 'val', { dataRoot: root });
    expect(unlabelled.size).toBe(4);
  });

  it('resizes to the target size by args.resize', async () => {
    const open = (resize: string) =>
      openDataset(idxLoader({ images: 'images-idx3-ubyte', resize }, [1, 1]), 'train', { dataRoot: root }).then((d) => d.load([3]));
    // Image 3 is [[60, 65], [70, 75]]: bilinear 2 → 1 samples the centre, the mean 67.5;
    // Pillow rounds each pass: rows 62.5 → 63 and 72.5 → 73, then 68.
    expect((await open('bilinear')).images[0] * 255).toBeCloseTo(67.5, 4);
    expect((await open('antialias')).images[0] * 255).toBeCloseTo(68, 4);
  });

  it('rejects bad files and args, naming the file or the arg', async () => {
    const open = (args: Record<string, unknown>, split: 'train' | 'val' | 'test' = 'train') => openDataset(idxLoader(args), split, { dataRoot: root });
    await writeFile(join(root, 'short'), IMAGES.subarray(0, IMAGES.length - 3));
    await writeFile(join(root, 'text.gz'), 'not idx');
    await writeFile(join(root, 'broken.gz'), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    await writeFile(join(root, 'floats'), Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]));
    await writeFile(join(root, 'labels3'), idx([3], [0, 1, 0]));
    await expect(open({ images: 'short' })).rejects.toThrow(
      `IDX file ${join(root, 'short')}: shape [4, 2, 2] needs 16 value bytes after the 16-byte header, but 13 follow (truncated)`,
    );
    await expect(open({ images: 'text.gz' })).rejects.toThrow(`IDX file ${join(root, 'text.gz')}: not an IDX file`);
    await expect(open({ images: 'broken.gz' })).rejects.toThrow(`IDX file ${join(root, 'broken.gz')}: gzip data is corrupt`);
    await expect(open({ images: 'floats' })).rejects.toThrow(/floats: element type float32 is not supported/);
    await expect(open({ images: 'labels-idx1-ubyte.gz' })).rejects.toThrow(/images must have 3 dimensions \[count, rows, columns\], found \[4\]/);
    await expect(open({ images: 'gone' })).rejects.toThrow(`IDX file ${join(root, 'gone')}: file not found`);
    await expect(open({ images: 'images-idx3-ubyte', labels: 'labels3' })).rejects.toThrow(/labels3: labels must have shape \[4\] to match/);
    await expect(open({ images: 'images-idx3-ubyte', labels: 'labels-idx1-ubyte.gz', classes: [7] })).rejects.toThrow(
      /no image of classes \[7\]; classes present: \[0, 1, 2\]/,
    );
    await expect(open({ images: 'images-idx3-ubyte', classes: [0] })).rejects.toThrow(/classes \[0\] need a labels file/);
    await expect(open({ images: 'images-idx3-ubyte', labels: 'labels-idx1-ubyte.gz', classes: ['0'] })).rejects.toThrow(/args.classes must be a non-empty list/);
    await expect(open({ images: { train: 'images-idx3-ubyte' } }, 'val')).rejects.toThrow(/args.images is missing.*no entry for split 'val'/);
    await expect(open({ images: 'images-idx3-ubyte', label: 'x' })).rejects.toThrow(/idx loader: unknown args.label; known: images, labels, classes, resize/);
    await expect(
      openDataset({ ...idxLoader({ images: 'images-idx3-ubyte' }), dataDir: { train: ['a.csv'], val: [], test: [] } }, 'train', { dataRoot: root }),
    ).rejects.toThrow(/idx loader: data_dir.train lists a.csv, but idx reads no CSV/);
  });
});

describe('configs/idx/mnist-one-class.yaml', () => {
  it('trains on the zeros of the training file, validates on those of the test file, and scores zeros against the other digits', async () => {
    await mkdir(join(root, 'mnist'));
    for (const split of ['train', 't10k']) {
      await writeFile(join(root, `mnist/${split}-images-idx3-ubyte.gz`), gzipSync(IMAGES));
      await writeFile(join(root, `mnist/${split}-labels-idx1-ubyte.gz`), gzipSync(LABELS));
    }
    const { config } = loadExperimentConfigFile('configs/idx/mnist-one-class.yaml');
    const sizes = async (loader: DataLoaderConfig, split: 'train' | 'val' | 'test') => (await openDataset(loader, split, { dataRoot: root })).size;
    expect(await sizes(config.trainer.dataLoader, 'train')).toBe(2);
    expect(await sizes(config.trainer.dataLoader, 'val')).toBe(2);
    const task = config.downstreamTasks.digits;
    expect(await sizes(downstreamDatasetLoader(task, 'Normal_zeros'), 'test')).toBe(2);
    expect(await sizes(downstreamDatasetLoader(task, 'Other_digits'), 'test')).toBe(2);
  });
});
