import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataLoaderConfig } from '../../../shared/config/experiment-config.ts';
import { sequentialOrder } from '../../../shared/data/batch-iterator.ts';
import { openDataset } from '../../../shared/data/open-dataset.ts';
import { PhantomDataset } from '../../../shared/data/phantom-dataset.ts';
import { writePhantomDataset } from '../../../shared/data/write-phantom-dataset.ts';

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'aelab-phantoms-'));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const csvLoader = (test: string[], args: Record<string, unknown> = {}): DataLoaderConfig => ({
  name: 'csv',
  dataDir: { train: ['normal_train.csv'], val: ['normal_val.csv'], test },
  targetSize: [16, 16],
  batchSize: 4,
  args,
});

describe('writePhantomDataset', () => {
  it('writes PNGs and official split CSVs that read back through the csv loader as the generated phantoms', async () => {
    const progress: [number, number][] = [];
    const written = await writePhantomDataset({
      outDir,
      size: [16, 16],
      trainCount: 3,
      valCount: 2,
      testCount: 2,
      pathologyCount: 2,
      seed: 9,
      onProgress: (done, total) => progress.push([done, total]),
    });

    expect(written.imageCount).toBe(3 + 2 + 2 + 3 * 2);
    expect(written.maskCount).toBe(3 * 2);
    expect(progress).toHaveLength(13);
    expect(progress.at(-1)).toEqual([13, 13]);
    expect(written.csvs).toEqual({
      normal_train: 'normal_train.csv',
      normal_val: 'normal_val.csv',
      normal_test: 'normal_test.csv',
      opacity_test: 'opacity_test.csv',
      nodule_test: 'nodule_test.csv',
      effusion_test: 'effusion_test.csv',
    });
    expect(written.maskCsvs.nodule_test).toBe('nodule_test_masks.csv');
    expect((await readdir(outDir)).sort()).toContain('phantoms.json');
    expect(await readFile(join(outDir, 'normal_val.csv'), 'utf8')).toBe(
      'filename\r\n./images/val/phantom-val-000000.png\r\n./images/val/phantom-val-000001.png\r\n',
    );

    const fromDisk = await openDataset(csvLoader(['normal_train.csv']), 'train', { dataRoot: outDir });
    const generated = new PhantomDataset({ seed: 9, split: 'train', count: 3, size: [16, 16] });
    const [a, b] = await Promise.all([fromDisk.load(sequentialOrder(3)), generated.load(sequentialOrder(3))]);
    expect(a.names).toEqual(b.names.map((n) => `./images/train/${n}.png`));
    expect(Math.max(...a.images.map((v, p) => Math.abs(v - b.images[p])))).toBeLessThanOrEqual(0.5 / 255 + 1e-6);

    const sick = await openDataset(csvLoader(['opacity_test.csv'], { label_dir: { test: ['opacity_test_masks.csv'] } }), 'test', { dataRoot: outDir });
    const sickGenerated = new PhantomDataset({ seed: 9, split: 'opacity', count: 2, size: [16, 16] });
    const [c, d] = await Promise.all([sick.load([0, 1]), sickGenerated.load([0, 1])]);
    expect(Array.from(c.masks ?? [])).toEqual(Array.from(d.masks ?? []));
    expect(c.masks?.some((m) => m === 1)).toBe(true);
  });

  it('writes paths relative to pathBase when given', async () => {
    await writePhantomDataset({ outDir: join(outDir, 'data', 'ph'), pathBase: outDir, size: [8, 8], trainCount: 1, valCount: 0, testCount: 0, pathologyCount: 0, seed: 1 });
    expect(await readFile(join(outDir, 'data', 'ph', 'normal_train.csv'), 'utf8')).toBe('filename\r\n./data/ph/images/train/phantom-train-000000.png\r\n');
  });

  it('rejects bad counts and sizes naming the option', async () => {
    const base = { outDir, size: [8, 8] as [number, number], trainCount: 1, valCount: 1, testCount: 1, pathologyCount: 1, seed: 1 };
    await expect(writePhantomDataset({ ...base, valCount: 1.5 })).rejects.toThrow(/valCount must be a non-negative integer, got 1.5/);
    await expect(writePhantomDataset({ ...base, size: [8, 0] })).rejects.toThrow(/size must be two positive integers/);
  });
});
