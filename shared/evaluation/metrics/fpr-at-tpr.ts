import { imageClassNames, splitByLabel } from './class-scores.ts';
import { operatingPoints } from './operating-points.ts';
import { rocCurveOf } from './roc-curve.ts';

/** The ROC point that {@link fprAtTpr} reads off the ROC curve. */
export interface RocPoint {
  /** False-positive rate there. */
  fpr: number;
  /** True-positive rate there, the first one ≥ the target. */
  tpr: number;
  /** Score threshold there: pathological where score ≥ threshold. */
  threshold: number;
}

/**
 * FPR at the FIRST point of sklearn's `roc_curve` (default `drop_intermediate=True`)
 * whose TPR ≥ `targetTpr`, as the official evaluation reads FPR95/FPR99
 * (docs/models.md §14.1). Because collinear points are dropped first, a point on a straight
 * stretch of the curve is skipped for the corner after it, which can raise the FPR; the
 * official numbers include that. `targetTpr` must be in (0, 1]. Throws on the inputs
 * that {@link auroc} rejects.
 */
export function fprAtTpr(scores: ArrayLike<number>, labels: ArrayLike<number>, targetTpr: number): RocPoint {
  if (!(targetTpr > 0 && targetTpr <= 1)) {
    throw new Error(`fprAtTpr: targetTpr must be in (0, 1], got ${targetTpr}`);
  }
  const curve = rocCurveOf(operatingPoints(splitByLabel(scores, labels, imageClassNames('FPR at TPR'))));
  const k = curve.tpr.findIndex((tpr) => tpr >= targetTpr);
  return { fpr: curve.fpr[k], tpr: curve.tpr[k], threshold: curve.thresholds[k] };
}
