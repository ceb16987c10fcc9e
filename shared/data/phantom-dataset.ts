import type { ImageBatch } from './image-dataset.ts';
import { PHANTOM_PATHOLOGIES, renderPhantom, type PhantomPathology } from './phantoms.ts';
import { SizedImageDataset } from './sized-image-dataset.ts';

/** The normal splits, then one test set per pathology. */
export type PhantomSplit = 'train' | 'val' | 'test' | PhantomPathology;

export const PHANTOM_SPLITS: readonly PhantomSplit[] = ['train', 'val', 'test', ...PHANTOM_PATHOLOGIES];

/**
 * Each split draws its subjects from its own block of 2^24 subject indices (train from 0,
 * val from 2^24, test from 2·2^24, then one block per pathology), so the splits never
 * share a subject, and changing one split's count leaves the subjects of the others as
 * they were: the test set stays the same across a sweep over `train_count`.
 */
export const PHANTOM_SPLIT_BLOCK = 2 ** 24;

export interface PhantomDatasetOptions {
  /** Seed of the phantom population. */
  seed: number;
  split: PhantomSplit;
  /** Number of images in the split; at most PHANTOM_SPLIT_BLOCK. */
  count: number;
  /** [height, width] of the rendered images. */
  size: readonly [number, number];
}

/** The subject index (the `index` of renderPhantom) of image `i` of a split. */
export function phantomSubjectIndex(split: PhantomSplit, i: number): number {
  return PHANTOM_SPLITS.indexOf(split) * PHANTOM_SPLIT_BLOCK + i;
}

/** `phantom-train-000012`: the split and the image's number inside it. */
export function phantomName(split: PhantomSplit, i: number): string {
  return `phantom-${split}-${String(i).padStart(6, '0')}`;
}

/**
 * Phantoms rendered on demand. Normal splits are labelled 0 with empty masks; the
 * pathology splits are labelled 1 and carry their masks.
 */
export class PhantomDataset extends SizedImageDataset {
  private readonly seed: number;
  private readonly split: PhantomSplit;
  private readonly pathology: PhantomPathology | null;

  constructor(options: PhantomDatasetOptions) {
    const { seed, split, count, size } = options;
    if (!PHANTOM_SPLITS.includes(split)) {
      throw new Error(`phantoms: unknown split '${split}'; known: ${PHANTOM_SPLITS.join(', ')}`);
    }
    if (!Number.isInteger(count) || count < 0 || count > PHANTOM_SPLIT_BLOCK) {
      throw new Error(`phantoms: count of split '${split}' must be an integer in [0, ${PHANTOM_SPLIT_BLOCK}], got ${count}`);
    }
    if (!Number.isFinite(seed)) throw new Error(`phantoms: seed must be a finite number, got ${seed}`);
    SizedImageDataset.checkTargetSize('phantoms', size);
    super(`phantoms(seed=${seed}, ${split})`, count, size);
    this.seed = seed;
    this.split = split;
    this.pathology = (PHANTOM_PATHOLOGIES as readonly string[]).includes(split) ? (split as PhantomPathology) : null;
  }

  async load(indices: readonly number[]): Promise<ImageBatch> {
    const pixels = this.height * this.width;
    const images = new Float32Array(indices.length * pixels);
    const masks = new Float32Array(indices.length * pixels);
    const names: string[] = [];
    this.checkIndices(indices);
    indices.forEach((i, position) => {
      const phantom = renderPhantom({
        seed: this.seed,
        index: phantomSubjectIndex(this.split, i),
        size: [this.height, this.width],
        pathology: this.pathology,
      });
      images.set(phantom.image, position * pixels);
      masks.set(phantom.mask, position * pixels);
      names.push(phantomName(this.split, i));
    });
    return {
      images,
      masks,
      labels: new Uint8Array(indices.length).fill(this.pathology === null ? 0 : 1),
      names,
      count: indices.length,
      height: this.height,
      width: this.width,
    };
  }
}
