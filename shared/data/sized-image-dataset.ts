import type { ImageBatch, ImageDataset } from './image-dataset.ts';
import type { ResizeMethod } from './resize-image.ts';

/** Where a dataset read from files finds them, and how it sizes its images. */
export interface DatasetFileOptions {
  /** Directory the dataset's relative paths are relative to. */
  dataRoot: string;
  /** [height, width] every image is resized to. */
  size: readonly [number, number];
  /** How images (and masks) are resized (see resize-image.ts); default `bilinear`, the official training path. */
  resize?: ResizeMethod;
}

/**
 * What the datasets have in common: where the images come from, how many there are and
 * the [height, width] they come out at, with the checks of the size and of the indices.
 */
export abstract class SizedImageDataset implements ImageDataset {
  readonly height: number;
  readonly width: number;

  protected constructor(
    readonly source: string,
    readonly size: number,
    target: readonly [number, number],
  ) {
    [this.height, this.width] = target;
  }

  abstract load(indices: readonly number[]): Promise<ImageBatch>;

  /** Throws, naming the dataset, unless every index is one of its images. */
  protected checkIndices(indices: readonly number[]): void {
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.size) {
        throw new Error(`${this.source}: index ${i} is outside [0, ${this.size})`);
      }
    }
  }

  /** Throws unless the size images are resized to is two positive integers; `kind` begins the message. */
  static checkTargetSize(kind: string, size: readonly [number, number]): void {
    const [height, width] = size;
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
      throw new Error(`${kind}: size must be two positive integers [height, width], got [${size.join(', ')}]`);
    }
  }
}
