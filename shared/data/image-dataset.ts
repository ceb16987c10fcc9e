/**
 * A split of grayscale images, read on demand so that a large dataset never sits in
 * memory whole. Images come out resized to the configured size, one channel, values in
 * [0, 1], NHWC with C = 1.
 */
export interface ImageDataset {
  /** Where the images come from, for messages (a CSV path, `phantoms(seed=7, train)`). */
  readonly source: string;
  readonly size: number;
  readonly height: number;
  readonly width: number;
  /** Loads the images at these indices, in this order, as one batch. */
  load(indices: readonly number[]): Promise<ImageBatch>;
}

export interface ImageBatch {
  /** count × height × width values, row-major, NHWC with one channel. */
  images: Float32Array;
  count: number;
  height: number;
  width: number;
  /** Pixel masks of pathologies in the same layout, where the dataset has them. */
  masks?: Float32Array;
  /** 0 = normal, 1 = pathological, where the dataset knows. */
  labels?: Uint8Array;
  /** A name per image (file path or generated id), for score tables. */
  names: string[];
}
