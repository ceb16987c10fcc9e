import type { ClassNames, ClassScores } from './class-scores.ts';

/** Class names of the pixel-level metrics: mask 0 = background, mask 1 = lesion. */
export function pixelClassNames(metric: string): ClassNames {
  return { metric, negative: 'background (mask 0)', positive: 'lesion (mask 1)', unit: 'pixels' };
}

/**
 * Pools the pixels of all images into one ranking problem: each pixel's residual is its
 * score, its mask value (1 = lesion, 0 = background) its label. Checks that there are as
 * many masks as residual maps, each the size of its map, masks strictly 0/1 and
 * residuals finite; errors name the image and pixel. A class may come out empty.
 */
export function pixelClassScores(
  residuals: readonly ArrayLike<number>[],
  masks: readonly ArrayLike<number>[],
  metric: string,
): ClassScores {
  if (residuals.length !== masks.length) {
    throw new Error(`${metric}: got ${residuals.length} residual maps but ${masks.length} masks; give one mask per map`);
  }
  if (residuals.length === 0) throw new Error(`${metric}: no residual maps given`);
  let lesion = 0;
  let total = 0;
  residuals.forEach((residual, image) => {
    const mask = masks[image];
    if (mask.length !== residual.length) {
      throw new Error(`${metric}: image ${image} has ${residual.length} residual values but ${mask.length} mask values`);
    }
    for (let i = 0; i < residual.length; i += 1) {
      if (mask[i] !== 0 && mask[i] !== 1) {
        throw new Error(`${metric}: mask of image ${image} is ${mask[i]} at pixel ${i}; masks must be 0 or 1`);
      }
      if (!Number.isFinite(residual[i])) {
        throw new Error(`${metric}: residual of image ${image} is ${residual[i]} at pixel ${i}; residuals must be finite`);
      }
      lesion += mask[i];
    }
    total += residual.length;
  });
  const positives = new Float64Array(lesion);
  const negatives = new Float64Array(total - lesion);
  let p = 0;
  let n = 0;
  residuals.forEach((residual, image) => {
    const mask = masks[image];
    for (let i = 0; i < residual.length; i += 1) {
      if (mask[i] === 1) positives[p++] = residual[i];
      else negatives[n++] = residual[i];
    }
  });
  return { positives: positives.sort(), negatives: negatives.sort() };
}
