import type { ImageBatch, ImageDataset } from './image-dataset.ts';

export interface BatchIteratorOptions {
  /** Images per batch; a positive integer. */
  batchSize: number;
  /** Dataset indices in the order to visit them (e.g. a shuffled epoch order). */
  order: readonly number[];
  /**
   * Drop the last batch when it has fewer than batchSize images (PyTorch `drop_last`);
   * default false.
   */
  dropLast?: boolean;
}

/** 0, 1, …, n − 1. */
export function sequentialOrder(n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`sequentialOrder: n must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Yields the batches of `order`, loading batch k + 1 while the caller works on batch k,
 * so file reads and decoding overlap the training step. At most one batch is loaded
 * ahead. Breaking out of the loop leaves no load unobserved.
 */
export async function* iterateBatches(
  dataset: ImageDataset,
  options: BatchIteratorOptions,
): AsyncGenerator<ImageBatch, void, undefined> {
  const { batchSize, order, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`iterateBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  order.forEach((index, position) => {
    if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
      throw new Error(
        `iterateBatches: order[${position}] = ${index} is not an index of ${dataset.source} (size ${dataset.size})`,
      );
    }
  });

  const batchCount = dropLast ? Math.floor(order.length / batchSize) : Math.ceil(order.length / batchSize);
  const startLoad = (k: number): Promise<ImageBatch> => {
    const pending = dataset.load(order.slice(k * batchSize, (k + 1) * batchSize));
    // Observed here so that a failure while the caller is busy (or gone) is not an
    // unhandled rejection; it still surfaces when that batch is awaited.
    pending.catch(() => undefined);
    return pending;
  };

  let pending = batchCount > 0 ? startLoad(0) : null;
  for (let k = 0; pending !== null; k++) {
    const current = await pending;
    pending = k + 1 < batchCount ? startLoad(k + 1) : null;
    yield current;
  }
}
