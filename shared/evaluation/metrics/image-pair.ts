/**
 * Checks that two images to compare have the same, non-zero number of finite values, so
 * a reconstruction metric never returns NaN silently. `metric` names the caller in errors.
 */
export function assertImagePair(metric: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`${metric}: images differ in size, ${a.length} vs ${b.length} values`);
  if (a.length === 0) throw new Error(`${metric}: images are empty`);
  for (let i = 0; i < a.length; i += 1) {
    if (!Number.isFinite(a[i])) throw new Error(`${metric}: first image has ${a[i]} at index ${i}; values must be finite`);
    if (!Number.isFinite(b[i])) throw new Error(`${metric}: second image has ${b[i]} at index ${i}; values must be finite`);
  }
}
