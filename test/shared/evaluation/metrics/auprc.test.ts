import { describe, expect, it } from 'vitest';
import { auprc } from '../../../../shared/evaluation/metrics/index.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

/**
 * Average precision from its per-positive reading: the mean, over pathological images, of
 * the precision among all images scoring at least as high (ties included).
 */
function meanPrecisionAtPositives(scores: number[], labels: number[]): number {
  const precisions = scores
    .filter((_, i) => labels[i] === 1)
    .map((s) => {
      const flagged = scores.map((t, j) => ({ t, label: labels[j] })).filter(({ t }) => t >= s);
      return flagged.filter(({ label }) => label === 1).length / flagged.length;
    });
  return precisions.reduce((a, b) => a + b, 0) / precisions.length;
}

describe('auprc (sklearn average_precision_score)', () => {
  it('sums recall steps times precision over distinct thresholds, without interpolation', () => {
    // Thresholds 0.8, 0.4, 0.35, 0.1 flag {0.8}, {0.8, 0.4, 0.4}, +0.35, all: recall
    // 1/3, 2/3, 1, 1 and precision 1, 2/3, 3/4, 1/2. AP = 1/3·1 + 1/3·2/3 + 1/3·3/4 =
    // 29/36 (sklearn 1.9.1: 0.8055555555555556). Interpolating would lift 2/3 to 3/4.
    expect(auprc([0.1, 0.4, 0.35, 0.8, 0.4, 0.1], [0, 0, 1, 1, 1, 0])).toBeCloseTo(29 / 36, 15);
    // Every threshold flags one more tied pair, so precision stays 1/2 (sklearn: 0.5).
    expect(auprc([0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 1, 0, 0])).toBe(0.5);
  });

  it('is 1 when separated and the prevalence when all scores are equal', () => {
    expect(auprc([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])).toBe(1);
    // One threshold flags everything: recall 1, precision 2/5 (sklearn: 0.4).
    expect(auprc([0.3, 0.3, 0.3, 0.3, 0.3], [0, 1, 0, 0, 1])).toBe(0.4);
  });

  it('equals the mean precision at the pathological images on random scores with ties', () => {
    for (const seed of [11, 12, 13, 14]) {
      const random = new SeededRandom(seed);
      const n = 20 + random.nextInt(40);
      const scores = Array.from({ length: n }, () => random.nextInt(6) / 6);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : random.nextInt(2)));
      expect(auprc(scores, labels)).toBeCloseTo(meanPrecisionAtPositives(scores, labels), 14);
    }
  });

  it('rejects a single class instead of returning a meaningless number', () => {
    expect(() => auprc([0.1, 0.2], [0, 0])).toThrow(
      'AUPRC needs both normal (label 0) and pathological (label 1) images; got only 2 normal (label 0) images',
    );
    expect(() => auprc([0.5, NaN], [0, 1])).toThrow('AUPRC: score at index 1 is NaN');
  });
});
