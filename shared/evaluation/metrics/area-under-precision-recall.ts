import type { ClassScores } from './class-scores.ts';
import { operatingPoints } from './operating-points.ts';

/**
 * Average precision as sklearn's `average_precision_score`: Σ_k (R_k − R_{k−1})·P_k over
 * the distinct thresholds from the highest down, R_0 = 0, with no interpolation (a step
 * function, not the trapezoid). When all scores are equal it is the prevalence P/(P+N).
 */
export function areaUnderPrecisionRecall(classes: ClassScores): number {
  const { tps, fps } = operatingPoints(classes);
  const positives = classes.positives.length;
  let sum = 0;
  let tp = 0;
  for (let k = 0; k < tps.length; k += 1) {
    if (tps[k] !== tp) sum += ((tps[k] - tp) / positives) * (tps[k] / (tps[k] + fps[k]));
    tp = tps[k];
  }
  return sum;
}
