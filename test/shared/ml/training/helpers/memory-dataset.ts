import type { ImageBatch, ImageDataset } from '../../../../../shared/data/image-dataset.ts';
import { SeededRandom } from '../../../../../shared/random/seeded-random.ts';

/** An in-memory split of square images: a bright disc of random centre and radius on a dark ground. */
export function discDataset(count: number, size: number, seed: number): ImageDataset & { images: Float32Array[] } {
  const random = new SeededRandom(seed);
  const images = Array.from({ length: count }, () => {
    const cy = random.uniform(size * 0.3, size * 0.7);
    const cx = random.uniform(size * 0.3, size * 0.7);
    const radius = random.uniform(size * 0.15, size * 0.3);
    const image = new Float32Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) image[y * size + x] = Math.hypot(y - cy, x - cx) < radius ? 0.9 : 0.1;
    }
    return image;
  });
  return {
    source: `discs(seed=${seed})`,
    size: count,
    height: size,
    width: size,
    images,
    async load(indices: readonly number[]): Promise<ImageBatch> {
      const out = new Float32Array(indices.length * size * size);
      indices.forEach((index, k) => out.set(images[index], k * size * size));
      return { images: out, count: indices.length, height: size, width: size, names: indices.map((index) => `disc-${index}`) };
    },
  };
}
