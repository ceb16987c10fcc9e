import { assertImagePair } from './image-pair.ts';

/** Mean absolute error over all pixels, the official evaluation's score (and its "MSE"). */
export function l1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertImagePair('l1', a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
