import { areaUnderRoc } from './area-under-roc.ts';
import { requireBothClasses } from './class-scores.ts';
import { pixelClassNames, pixelClassScores } from './pixel-class-scores.ts';

/**
 * Pixel-level AUROC: every pixel of every image is one item, scored by its residual and
 * labelled by its mask (1 = lesion), i.e. {@link auroc} on the flattened arrays. Sorts
 * once, O(n log n). Throws unless there are both lesion and background pixels.
 */
export function pixelAuroc(residuals: readonly ArrayLike<number>[], masks: readonly ArrayLike<number>[]): number {
  const metric = 'pixel AUROC';
  return areaUnderRoc(requireBothClasses(pixelClassScores(residuals, masks, metric), pixelClassNames(metric)));
}
