import { describe, expect, it } from 'vitest';
import { auroc } from '../../../../shared/evaluation/metrics/index.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

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
  it('counts a tie between a normal and a pathological image as ½', () => {
    // Normals 0.1, 0.4, 0.1; pathological 0.35, 0.8, 0.4. Pairs won by the pathological
    // image: 0.35 beats both 0.1 → 2; 0.8 beats all → 3; 0.4 beats both 0.1 and ties 0.4
    // → 2.5. (2 + 3 + 2.5) / 9 = 5/6 (sklearn 1.9.1: 0.8333333333333334).
    expect(auroc([0.1, 0.4, 0.35, 0.8, 0.4, 0.1], [0, 0, 1, 1, 1, 0])).toBeCloseTo(5 / 6, 15);
    // Three tied pairs at 0.9, 0.8, 0.7 and one normal at 0.1: (3.5 + 2.5 + 1.5) / 12 = 0.625.
    expect(auroc([0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 1, 0, 0])).toBe(0.625);
  });

  it('is 1 when separated, 0 when inverted, and 0.5 when all scores are equal', () => {
    expect(auroc([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.1, 0.2, 0.3, 0.4], [1, 1, 0, 0])).toBe(0);
    expect(auroc([0.3, 0.3, 0.3, 0.3, 0.3], [0, 1, 0, 0, 1])).toBe(0.5);
  });

  it('equals the Mann–Whitney statistic on random scores with many ties', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = new SeededRandom(seed);
      const n = 30 + random.nextInt(40);
      // Scores on a grid of 8 values so ties between and within classes are common.
      const scores = Array.from({ length: n }, () => random.nextInt(8) / 8);
      const labels = Array.from({ length: n }, (_, i) => (i < 3 ? i % 2 : random.nextInt(2)));
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
