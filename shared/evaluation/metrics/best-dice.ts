import { operatingPoints } from './operating-points.ts';
import { pixelClassScores } from './pixel-class-scores.ts';

/** The best Dice over thresholds and the threshold that gives it. */
export interface BestDice {
  /** 2|P∩G| / (|P| + |G|) at the best threshold; 0 only when given thresholds all lie above every residual. */
  dice: number;
  /** Residual threshold: a pixel is predicted lesion where residual ≥ threshold. */
  threshold: number;
}

/**
 * Best achievable Dice of the segmentation "residual ≥ t" against the masks, with one
 * threshold t for all pixels of all images pooled (|P|, |G|, |P∩G| summed over images),
 * maximised over t.
 *
 * Threshold grid: by default every distinct residual value. Between two consecutive
 * distinct values the prediction does not change, so this is the exact maximum over all
 * real t, found with one sort and one sweep, O(n log n). `thresholds`, when given, are
 * the only candidates (each counted by binary search). Ties go to the highest threshold.
 * Needs at least one lesion pixel; background may be absent.
 */
export function bestDice(
  residuals: readonly ArrayLike<number>[],
  masks: readonly ArrayLike<number>[],
  thresholds?: ArrayLike<number>,
): BestDice {
  const metric = 'bestDice';
  const classes = pixelClassScores(residuals, masks, metric);
  const lesion = classes.positives.length;
  if (lesion === 0) {
    throw new Error(`${metric} needs lesion (mask 1) pixels; got only ${classes.negatives.length} background (mask 0) pixels`);
  }
  let best: BestDice = { dice: -1, threshold: Infinity };
  const consider = (threshold: number, tp: number, fp: number): void => {
    const dice = (2 * tp) / (tp + fp + lesion);
    if (dice > best.dice || (dice === best.dice && threshold > best.threshold)) best = { dice, threshold };
  };
  if (thresholds === undefined) {
    const points = operatingPoints(classes);
    for (let k = 0; k < points.tps.length; k += 1) consider(points.thresholds[k], points.tps[k], points.fps[k]);
    return best;
  }
  if (thresholds.length === 0) throw new Error(`${metric}: thresholds is empty; omit it to sweep every distinct residual`);
  for (let i = 0; i < thresholds.length; i += 1) {
    const t = thresholds[i];
    if (Number.isNaN(t)) throw new Error(`${metric}: threshold at index ${i} is NaN`);
    consider(t, countAtLeast(classes.positives, t), countAtLeast(classes.negatives, t));
  }
  return best;
}

/** How many values of the ascending `sorted` are ≥ `t`. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < t) low = mid + 1;
    else high = mid;
  }
  return sorted.length - low;
}
