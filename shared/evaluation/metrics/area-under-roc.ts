import type { ClassScores } from './class-scores.ts';
import { operatingPoints } from './operating-points.ts';

/**
 * Area under the ROC curve by the trapezoid rule over the distinct thresholds (as
 * sklearn's `roc_auc_score`), which equals the Mann–Whitney U / (P·N) with a tie between
 * a positive and a negative counted ½. Summed in integer counts (exact below 2^53, i.e.
 * up to ~10^8 items) and divided once, so it can differ from sklearn's trapezoid over
 * normalised rates only in the last bits.
 */
export function areaUnderRoc(classes: ClassScores): number {
  const { tps, fps } = operatingPoints(classes);
  let twiceArea = 0;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < tps.length; k += 1) {
    twiceArea += (fps[k] - fp) * (tps[k] + tp);
    tp = tps[k];
    fp = fps[k];
  }
  return twiceArea / 2 / (tp * fp);
}
