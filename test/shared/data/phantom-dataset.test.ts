import { describe, expect, it } from 'vitest';
import type { DataLoaderConfig } from '../../../shared/config/experiment-config.ts';
import { openDataset } from '../../../shared/data/open-dataset.ts';
import { PhantomDataset, phantomSubjectIndex } from '../../../shared/data/phantom-dataset.ts';

const open = (split: ConstructorParameters<typeof PhantomDataset>[0]['split'], count = 4) =>
  new PhantomDataset({ seed: 12, split, count, size: [16, 16] });

describe('PhantomDataset', () => {
  it('gives the splits different subjects, and keeps them when another split grows', async () => {
    const train = await open('train').load([0, 1, 2, 3]);
    const val = await open('val').load([0, 1, 2, 3]);
    const test = await open('test').load([0, 1]);
    const loader = (trainCount: number): DataLoaderConfig => ({
      name: 'phantoms',
      dataDir: { train: [], val: [], test: [] },
      targetSize: [16, 16],
      batchSize: 8,
      args: { seed: 12, train_count: trainCount, test_count: 2 },
    });
    const testBefore = await (await openDataset(loader(4), 'test')).load([0, 1]);
    const testAfterBiggerTrain = await (await openDataset(loader(400), 'test')).load([0, 1]);
    const image = (batch: { images: Float32Array }, k: number) => Buffer.from(batch.images.slice(k * 256, (k + 1) * 256).buffer).toString('hex');
    const all = [0, 1, 2, 3].flatMap((k) => [image(train, k), image(val, k)]);
    expect(new Set(all).size).toBe(8);
    expect(image(test, 1)).toBe(image(testBefore, 1));
    expect(image(testBefore, 1)).toBe(image(testAfterBiggerTrain, 1));
    expect(new Set(['train', 'val', 'test', 'opacity'].map((s) => phantomSubjectIndex(s as 'train', 5))).size).toBe(4);
  });

  it('loads the requested indices in order, with names, labels and masks', async () => {
    const normal = await open('test').load([3, 1]);
    expect(normal.names).toEqual(['phantom-test-000003', 'phantom-test-000001']);
    expect(Array.from(normal.labels ?? [])).toEqual([0, 0]);
    expect(normal.masks?.every((m) => m === 0)).toBe(true);
    expect([normal.count, normal.height, normal.width, normal.images.length]).toEqual([2, 16, 16, 512]);
    const single = await open('test').load([1]);
    expect(Array.from(normal.images.slice(256))).toEqual(Array.from(single.images));

    const nodules = await open('nodule').load([0, 2]);
    expect(Array.from(nodules.labels ?? [])).toEqual([1, 1]);
    expect(nodules.masks?.slice(0, 256).some((m) => m === 1)).toBe(true);
    expect(nodules.masks?.slice(256).some((m) => m === 1)).toBe(true);
  });

  it('rejects indices outside the split and bad options', async () => {
    await expect(open('val', 3).load([3])).rejects.toThrow('phantoms(seed=12, val): index 3 is outside [0, 3)');
    expect(() => open('tset' as 'test')).toThrow(/unknown split 'tset'/);
    expect(() => open('train', -2)).toThrow(/count of split 'train' must be an integer/);
  });
});
