import { describe, expect, it } from 'vitest';
import { iterateBatches, sequentialOrder } from '../../../shared/data/batch-iterator.ts';
import type { ImageBatch, ImageDataset } from '../../../shared/data/image-dataset.ts';
import { PhantomDataset } from '../../../shared/data/phantom-dataset.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 1×1 images whose value is their index; each load takes `delayMs` and is logged. */
class SlowDataset implements ImageDataset {
  readonly source = 'slow';
  readonly height = 1;
  readonly width = 1;
  readonly loads: { indices: number[] }[] = [];
  constructor(
    readonly size: number,
    private readonly delayMs: number,
    private readonly failAtLoad = -1,
  ) {}
  async load(indices: readonly number[]): Promise<ImageBatch> {
    this.loads.push({ indices: [...indices] });
    const n = this.loads.length - 1;
    await sleep(this.delayMs);
    if (n === this.failAtLoad) throw new Error(`load ${n} failed`);
    return { images: Float32Array.from(indices), count: indices.length, height: 1, width: 1, names: indices.map(String) };
  }
}

async function collect(dataset: ImageDataset, batchSize: number, order: number[], dropLast: boolean): Promise<string[][]> {
  const batches: string[][] = [];
  for await (const batch of iterateBatches(dataset, { batchSize, order, dropLast })) batches.push(batch.names);
  return batches;
}

describe('iterateBatches', () => {
  const dataset = new PhantomDataset({ seed: 1, split: 'train', count: 10, size: [8, 8] });
  const order = [3, 9, 0, 7, 1, 8, 2, 6, 5, 4];
  const name = (i: number) => `phantom-train-${String(i).padStart(6, '0')}`;

  it('yields every index of the order once, in order, keeping the short last batch', async () => {
    const batches = await collect(dataset, 4, order, false);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(order.map(name));
  });

  it('drops the short last batch with dropLast', async () => {
    const batches = await collect(dataset, 4, order, true);
    expect(batches.map((b) => b.length)).toEqual([4, 4]);
    expect(batches.flat()).toEqual(order.slice(0, 8).map(name));
    expect(await collect(dataset, 5, order, true)).toHaveLength(2);
    expect(await collect(dataset, 11, order, true)).toEqual([]);
  });

  it('yields the images of the requested indices', async () => {
    const slow = new SlowDataset(6, 0);
    const values: number[] = [];
    for await (const batch of iterateBatches(slow, { batchSize: 4, order: [5, 0, 4, 1, 3, 2] })) values.push(...batch.images);
    expect(values).toEqual([5, 0, 4, 1, 3, 2]);
  });

  it('starts loading batch k + 1 before handing out batch k, so loading overlaps the work', async () => {
    const slow = new SlowDataset(8, 20);
    let k = 0;
    for await (const batch of iterateBatches(slow, { batchSize: 2, order: sequentialOrder(8) })) {
      // When batch k arrives, the load of batch k + 1 has already begun, and no later one.
      expect(slow.loads).toHaveLength(Math.min(k + 2, 4));
      expect(batch.names).toEqual([String(2 * k), String(2 * k + 1)]);
      await sleep(20);
      k++;
    }
    expect(k).toBe(4);
  });

  it('surfaces a failed load at its batch, and leaves no unhandled rejection when the caller stops early', async () => {
    await expect(collect(new SlowDataset(6, 5, 1), 2, sequentialOrder(6), false)).rejects.toThrow('load 1 failed');
    const failing = new SlowDataset(6, 5, 1);
    for await (const _ of iterateBatches(failing, { batchSize: 2, order: sequentialOrder(6) })) break;
    await sleep(20);
    expect(failing.loads).toHaveLength(2);
  });

  it('rejects a bad batch size or an index outside the dataset', async () => {
    await expect(collect(dataset, 0, order, false)).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(collect(dataset, 2, [0, 10], false)).rejects.toThrow(/order\[1\] = 10 is not an index of phantoms\(seed=1, train\) \(size 10\)/);
  });
});

describe('sequentialOrder', () => {
  it('lists 0 … n − 1', () => {
    expect(sequentialOrder(4)).toEqual([0, 1, 2, 3]);
    expect(sequentialOrder(0)).toEqual([]);
    expect(() => sequentialOrder(-1)).toThrow(/non-negative integer/);
  });
});
