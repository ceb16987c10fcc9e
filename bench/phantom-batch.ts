import { renderPhantom } from '../shared/data/phantoms.ts';

/** The training benchmarks' batch: the seed of the phantoms they train on, on both sides of a comparison. */
const PHANTOM_SEED = 7;

/** `batch` healthy phantoms of `size`², row-major one after another (NHWC and NCHW alike with one channel). */
export function phantomImages(batch: number, size: number): Float32Array {
  const pixels = size * size;
  const images = new Float32Array(batch * pixels);
  for (let i = 0; i < batch; i += 1) images.set(renderPhantom({ seed: PHANTOM_SEED, index: i, size: [size, size] }).image, i * pixels);
  return images;
}
