import { areaUnderPrecisionRecall } from './area-under-precision-recall.ts';
import { requireBothClasses } from './class-scores.ts';
import { pixelClassNames, pixelClassScores } from './pixel-class-scores.ts';

/**
 * Pixel-level AUPRC (average precision), {@link auprc} on the flattened residuals and
 * masks (1 = lesion). Sorts once, O(n log n). Throws unless there are both lesion and
 * background pixels.
 */
export function pixelAuprc(residuals: readonly ArrayLike<number>[], masks: readonly ArrayLike<number>[]): number {
  const metric = 'pixel AUPRC';
  return areaUnderPrecisionRecall(requireBothClasses(pixelClassScores(residuals, masks, metric), pixelClassNames(metric)));
}
