import { areaUnderPrecisionRecall } from './area-under-precision-recall.ts';
import { imageClassNames, splitByLabel } from './class-scores.ts';

/**
 * Image-level AUPRC, sklearn's `average_precision_score(labels, scores)`: label 1
 * (pathological) is the positive class; Σ (R_n − R_{n−1})·P_n over distinct thresholds,
 * no interpolation. All-equal scores give the prevalence, #pathological / #images.
 * Throws when either class is missing (sklearn would warn and return a meaningless
 * value), lengths differ, a label is not 0/1 or a score is not finite.
 */
export function auprc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return areaUnderPrecisionRecall(splitByLabel(scores, labels, imageClassNames('AUPRC')));
}
