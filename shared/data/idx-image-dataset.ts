import { isAbsolute, resolve } from 'node:path';
import { readIdxFile } from './idx-file.ts';
import type { ImageBatch } from './image-dataset.ts';
import { DEFAULT_RESIZE, resizeImage, type ResizeMethod } from './resize-image.ts';
import { type DatasetFileOptions, SizedImageDataset } from './sized-image-dataset.ts';

export interface IdxImageDatasetOptions extends DatasetFileOptions {
  /**
   * IDX file of images, shape [count, rows, columns], unsigned bytes (e.g.
   * `train-images-idx3-ubyte` or its `.gz`); relative to dataRoot unless absolute.
   */
  images: string;
  /**
   * IDX file of labels, shape [count], row for row with `images` (e.g.
   * `train-labels-idx1-ubyte.gz`); default none. Needed when `classes` is given.
   */
  labels?: string;
  /** Keep only the images whose label is one of these (one-class experiments: `[0]`); default all images. */
  classes?: readonly number[];
}

/**
 * Images of an IDX file (the MNIST family), optionally only those of some classes,
 * values ÷ 255 and resized to the target size. The file is read whole when the dataset
 * is opened and kept as bytes (MNIST's 60,000 training images: 47 MB). Images are named
 * `<images path as given>#<index in the file>`. Batches carry no labels: which images
 * count as normal is the choice of the experiment, made with `classes`.
 */
export class IdxImageDataset extends SizedImageDataset {
  private constructor(
    source: string,
    size: readonly [number, number],
    private readonly name: string,
    private readonly pixels: Uint8Array,
    private readonly from: readonly [number, number],
    private readonly indices: Int32Array,
    private readonly resize: ResizeMethod,
  ) {
    super(source, indices.length, size);
  }

  static async open(options: IdxImageDatasetOptions): Promise<IdxImageDataset> {
    const { images, labels, classes, dataRoot, size, resize = DEFAULT_RESIZE } = options;
    SizedImageDataset.checkTargetSize('idx dataset', size);
    if (classes !== undefined && labels === undefined) {
      throw new Error(`idx dataset ${images}: classes [${classes.join(', ')}] need a labels file to select by`);
    }
    const imageFile = await readIdxFile(resolveUnder(dataRoot, images));
    if (imageFile.shape.length !== 3) {
      throw new Error(`IDX file ${imageFile.file}: images must have 3 dimensions [count, rows, columns], found [${imageFile.shape.join(', ')}]`);
    }
    const [count, rows, columns] = imageFile.shape;
    let kept = Int32Array.from({ length: count }, (_, i) => i);
    if (labels !== undefined) {
      const labelFile = await readIdxFile(resolveUnder(dataRoot, labels));
      if (labelFile.shape.length !== 1 || labelFile.shape[0] !== count) {
        throw new Error(
          `IDX file ${labelFile.file}: labels must have shape [${count}] to match ${imageFile.file}, found [${labelFile.shape.join(', ')}]`,
        );
      }
      if (classes !== undefined) {
        const wanted = new Set(classes);
        kept = kept.filter((i) => wanted.has(labelFile.data[i]));
        if (kept.length === 0) {
          const present = [...new Set(labelFile.data)].sort((a, b) => a - b);
          throw new Error(`IDX file ${labelFile.file}: no image of classes [${classes.join(', ')}]; classes present: [${present.join(', ')}]`);
        }
      }
    }
    const source = `idx(${images}${classes === undefined ? '' : `, classes [${classes.join(', ')}]`})`;
    return new IdxImageDataset(source, size, images, imageFile.data, [rows, columns], kept, resize);
  }

  async load(indices: readonly number[]): Promise<ImageBatch> {
    const [rows, columns] = this.from;
    const inPixels = rows * columns;
    const outPixels = this.height * this.width;
    const images = new Float32Array(indices.length * outPixels);
    const names: string[] = [];
    this.checkIndices(indices);
    indices.forEach((i, position) => {
      const item = this.indices[i];
      const bytes = this.pixels.subarray(item * inPixels, (item + 1) * inPixels);
      const image = new Float32Array(inPixels);
      for (let p = 0; p < inPixels; p++) image[p] = bytes[p] / 255;
      images.set(resizeImage(image, this.from, [this.height, this.width], this.resize), position * outPixels);
      names.push(`${this.name}#${item}`);
    });
    return { images, names, count: indices.length, height: this.height, width: this.width };
  }
}

function resolveUnder(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}
