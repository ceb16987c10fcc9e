import { imageClassNames, splitByLabel } from './class-scores.ts';
import { operatingPoints, type OperatingPoints } from './operating-points.ts';

/** Options of {@link rocCurve}. */
export interface RocCurveOptions {
  /**
   * Drop the thresholds whose point lies on a straight segment between its neighbours
   * (sklearn's `drop_intermediate`, where a point survives when the second difference of
   * its fps or tps is non-zero). The area is unchanged, but "the first point with
   * TPR ≥ t" can move to a later threshold, so FPR95 depends on it. Default `true`, as
   * sklearn and so the official evaluation.
   */
  dropIntermediate?: boolean;
}

/** An ROC curve as sklearn's `roc_curve` returns it, plain arrays of equal length. */
export interface RocCurve {
  /** False-positive rate at each threshold, from 0 up to 1. */
  fpr: number[];
  /** True-positive rate at each threshold, from 0 up to 1. */
  tpr: number[];
  /**
   * Decision thresholds, descending: predict pathological where score ≥ threshold. The
   * first is `Infinity` (the (0, 0) point, as sklearn ≥ 1.3; older sklearn wrote max + 1).
   */
  thresholds: number[];
}

/**
 * sklearn's `roc_curve(labels, scores)`: one point per distinct score (minus the
 * collinear ones unless `dropIntermediate` is false), preceded by (0, 0) at threshold
 * `Infinity`. Label 1 (pathological) is the positive class. Throws on the inputs that
 * {@link auroc} rejects.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, options: RocCurveOptions = {}): RocCurve {
  return rocCurveOf(operatingPoints(splitByLabel(scores, labels, imageClassNames('ROC curve'))), options);
}

/** {@link rocCurve} from operating points already counted. */
export function rocCurveOf({ tps, fps, thresholds }: OperatingPoints, options: RocCurveOptions = {}): RocCurve {
  const last = tps.length - 1;
  const keep = (k: number): boolean =>
    options.dropIntermediate === false ||
    k === 0 ||
    k === last ||
    fps[k + 1] - 2 * fps[k] + fps[k - 1] !== 0 ||
    tps[k + 1] - 2 * tps[k] + tps[k - 1] !== 0;
  const positives = tps[last];
  const negatives = fps[last];
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Infinity] };
  for (let k = 0; k <= last; k += 1) {
    if (!keep(k)) continue;
    curve.fpr.push(fps[k] / negatives);
    curve.tpr.push(tps[k] / positives);
    curve.thresholds.push(thresholds[k]);
  }
  return curve;
}
