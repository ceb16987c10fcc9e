import type { ClassScores } from './class-scores.ts';

/**
 * The confusion counts at every distinct score, highest first, for the rule "predict
 * positive where score ≥ threshold" — sklearn's `_binary_clf_curve` (now
 * `confusion_matrix_at_thresholds`), with tied scores forming one point. Counts are
 * integers held exactly in doubles.
 */
export interface OperatingPoints {
  /** Distinct scores, descending. */
  thresholds: Float64Array;
  /** Positives with score ≥ thresholds[k]. */
  tps: Float64Array;
  /** Negatives with score ≥ thresholds[k]. */
  fps: Float64Array;
}

export function operatingPoints({ positives, negatives }: ClassScores): OperatingPoints {
  const capacity = positives.length + negatives.length;
  const thresholds = new Float64Array(capacity);
  const tps = new Float64Array(capacity);
  const fps = new Float64Array(capacity);
  let p = positives.length - 1;
  let n = negatives.length - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (p >= 0 || n >= 0) {
    const threshold = p < 0 ? negatives[n] : n < 0 ? positives[p] : Math.max(positives[p], negatives[n]);
    while (p >= 0 && positives[p] === threshold) {
      tp += 1;
      p -= 1;
    }
    while (n >= 0 && negatives[n] === threshold) {
      fp += 1;
      n -= 1;
    }
    thresholds[k] = threshold;
    tps[k] = tp;
    fps[k] = fp;
    k += 1;
  }
  return { thresholds: thresholds.subarray(0, k), tps: tps.subarray(0, k), fps: fps.subarray(0, k) };
}
