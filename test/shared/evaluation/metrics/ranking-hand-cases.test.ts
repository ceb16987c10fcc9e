import { describe, expect, it } from 'vitest';
import { auprc, auroc } from '../../../../shared/evaluation/metrics/index.ts';
import { ALL_EQUAL, CROSS_TIE, type HandCase, SEPARATED, TIED_PAIRS } from './metric-cases.ts';

/**
 * AUROC (sklearn roc_auc_score) counts a tie between a normal and a pathological image as
 * ½; AUPRC (sklearn average_precision_score) sums recall steps times precision over the
 * distinct thresholds, without interpolation. Each row is worked out by hand.
 */
const ROWS: { name: string; scored: HandCase; auroc: number; auprc: number }[] = [
  {
    name: 'one tie across the classes',
    scored: CROSS_TIE,
    // Pairs won by the pathological image: 0.35 beats both 0.1 → 2; 0.8 beats all → 3; 0.4
    // beats both 0.1 and ties 0.4 → 2.5. (2 + 3 + 2.5) / 9 = 5/6 (sklearn 1.9.1: 0.8333333333333334).
    auroc: 5 / 6,
    // Thresholds 0.8, 0.4, 0.35, 0.1 flag {0.8}, {0.8, 0.4, 0.4}, +0.35, all: recall
    // 1/3, 2/3, 1, 1 and precision 1, 2/3, 3/4, 1/2. AP = 1/3·1 + 1/3·2/3 + 1/3·3/4 =
    // 29/36 (sklearn 1.9.1: 0.8055555555555556). Interpolating would lift 2/3 to 3/4.
    auprc: 29 / 36,
  },
  {
    name: 'three tied pairs',
    scored: TIED_PAIRS,
    // (3.5 + 2.5 + 1.5) / 12 = 0.625.
    auroc: 0.625,
    // Every threshold flags one more tied pair, so precision stays 1/2 (sklearn: 0.5).
    auprc: 0.5,
  },
  { name: 'separated classes', scored: SEPARATED, auroc: 1, auprc: 1 },
  {
    name: 'all scores equal',
    scored: ALL_EQUAL,
    auroc: 0.5,
    // One threshold flags everything: recall 1, precision 2/5, the prevalence (sklearn: 0.4).
    auprc: 0.4,
  },
];

describe.each(ROWS)('the ranking metrics on $name', (row) => {
  it(`AUROC is ${row.auroc}`, () => {
    expect(auroc(row.scored.scores, row.scored.labels)).toBeCloseTo(row.auroc, 15);
  });

  it(`AUPRC is ${row.auprc}`, () => {
    expect(auprc(row.scored.scores, row.scored.labels)).toBeCloseTo(row.auprc, 15);
  });
});
