import { assertImagePair } from './image-pair.ts';

/** Mean squared error over all pixels. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertImagePair('mse', a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}
