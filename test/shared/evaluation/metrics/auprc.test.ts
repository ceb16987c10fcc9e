import { describe, expect, it } from 'vitest';
import { auprc } from '../../../../shared/evaluation/metrics/index.ts';
import { randomScoresWithTies } from './metric-cases.ts';

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
  it('equals the mean precision at the pathological images on random scores with ties', () => {
    for (const seed of [11, 12, 13, 14]) {
      const { scores, labels } = randomScoresWithTies(seed, { minCount: 20, extra: 40, levels: 6, fixedLabels: 2 });
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
