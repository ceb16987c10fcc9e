import { describe, expect, it } from 'vitest';
import { auroc } from '../../../../shared/evaluation/metrics/index.ts';
import { randomScoresWithTies, SEPARATED } from './metric-cases.ts';

/** Mann–Whitney U / (P·N) straight from its definition: every (pathological, normal) pair. */
function mannWhitney(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((t, j) => {
      if (labels[j] !== 0) return;
      pairs += 1;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('auroc (sklearn roc_auc_score)', () => {
  it('is 0 when the scores rank every normal image above every pathological one', () => {
    expect(auroc(SEPARATED.scores, [1, 1, 0, 0])).toBe(0);
  });

  it('equals the Mann–Whitney statistic on random scores with many ties', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { scores, labels } = randomScoresWithTies(seed, { minCount: 30, extra: 40, levels: 8, fixedLabels: 3 });
      expect(auroc(scores, labels)).toBeCloseTo(mannWhitney(scores, labels), 14);
      expect(auroc(Float32Array.from(scores), labels)).toBeCloseTo(mannWhitney(scores, labels), 14);
    }
  });

  it('rejects a single class, mismatched or empty input, bad labels and non-finite scores', () => {
    expect(() => auroc([0.1, 0.2], [0, 0])).toThrow(
      'AUROC needs both normal (label 0) and pathological (label 1) images; got only 2 normal (label 0) images',
    );
    expect(() => auroc([0.1, 0.2, 0.3], [1, 1, 1])).toThrow(/got only 3 pathological \(label 1\) images/);
    expect(() => auroc([0.1, 0.2], [0, 1, 1])).toThrow('AUROC: got 2 scores but 3 labels');
    expect(() => auroc([], [])).toThrow('AUROC: no scores given');
    expect(() => auroc([0.1, 0.2], [0, 2])).toThrow('AUROC: label at index 1 is 2');
    expect(() => auroc([0.1, NaN, 0.3], [0, 1, 1])).toThrow('AUROC: score at index 1 is NaN');
    expect(() => auroc([0.1, Infinity], [0, 1])).toThrow('AUROC: score at index 1 is Infinity');
  });
});
