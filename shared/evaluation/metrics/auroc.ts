import { areaUnderRoc } from './area-under-roc.ts';
import { imageClassNames, splitByLabel } from './class-scores.ts';

/**
 * Image-level AUROC, sklearn's `roc_auc_score(labels, scores)`: label 1 (pathological)
 * is the positive class, higher score = more anomalous, ties counted ½. All-equal scores
 * give 0.5. Throws when either class is missing, lengths differ, a label is not 0/1 or
 * a score is not finite.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return areaUnderRoc(splitByLabel(scores, labels, imageClassNames('AUROC')));
}
