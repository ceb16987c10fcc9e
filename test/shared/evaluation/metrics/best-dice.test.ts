import { describe, expect, it } from 'vitest';
import { bestDice } from '../../../../shared/evaluation/metrics/index.ts';
import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

/** Dice of "residual ≥ t" against the masks, pooled over images, counted directly. */
function diceAt(residuals: Float32Array[], masks: Float32Array[], t: number): number {
  let both = 0;
  let predicted = 0;
  let truth = 0;
  residuals.forEach((r, k) =>
    r.forEach((v, p) => {
      const hit = v >= t ? 1 : 0;
      predicted += hit;
      truth += masks[k][p];
      both += hit * masks[k][p];
    }),
  );
  return (2 * both) / (predicted + truth);
}

describe('bestDice (one threshold for all pixels, maximised)', () => {
  it('is 1 with the lowest lesion residual as threshold when lesions separate', () => {
    const random = new SeededRandom(3);
    const masks = Array.from({ length: 3 }, () => Float32Array.from({ length: 100 }, () => (random.nextFloat() < 0.1 ? 1 : 0)));
    masks[0][0] = 1;
    // residual = 0.9·mask + noise in [0, 0.05): lesion ≥ 0.9 > every background value.
    const residuals = masks.map((m) => m.map((v) => 0.9 * v + 0.05 * random.nextFloat()));
    const lowestLesion = Math.min(...residuals.flatMap((r, k) => Array.from(r).filter((_, p) => masks[k][p] === 1)));
    expect(bestDice(residuals, masks)).toEqual({ dice: 1, threshold: lowestLesion });
  });

  it('works out a hand case and honours a given threshold grid', () => {
    // Residuals 0.9, 0.8, 0.7, 0.2 with lesion at 0.9 and 0.7 (|G| = 2).
    // t = 0.9: 2·1/(1+2) = 2/3;  0.8: 2·1/(2+2) = 1/2;  0.7: 2·2/(3+2) = 4/5;  0.2: 4/6.
    const residuals = [Float32Array.from([0.9, 0.8]), Float32Array.from([0.7, 0.2])];
    const masks = [Float32Array.from([1, 0]), Float32Array.from([1, 0])];
    expect(bestDice(residuals, masks)).toEqual({ dice: 0.8, threshold: Math.fround(0.7) });
    // Grid {0.75, 0.5}: 0.75 flags 0.9, 0.8 → 1/2; 0.5 flags 0.9, 0.8, 0.7 → 4/5.
    expect(bestDice(residuals, masks, [0.75, 0.5])).toEqual({ dice: 0.8, threshold: 0.5 });
    // Above every residual nothing is flagged: Dice 0.
    expect(bestDice(residuals, masks, [2])).toEqual({ dice: 0, threshold: 2 });
  });

  it('finds the maximum of a direct sweep over every distinct residual', () => {
    for (const seed of [1, 2, 3]) {
      const random = new SeededRandom(seed);
      const masks = Array.from({ length: 4 }, () => Float32Array.from({ length: 40 }, () => (random.nextFloat() < 0.25 ? 1 : 0)));
      masks[0][0] = 1;
      const residuals = masks.map((m) => m.map((v) => random.nextInt(12) / 12 + 0.3 * v));
      const candidates = [...new Set(residuals.flatMap((r) => Array.from(r)))];
      const direct = Math.max(...candidates.map((t) => diceAt(residuals, masks, t)));
      const best = bestDice(residuals, masks);
      expect(best.dice).toBeCloseTo(direct, 14);
      expect(diceAt(residuals, masks, best.threshold)).toBeCloseTo(best.dice, 14);
    }
  });

  it('needs lesion pixels but not background, and rejects an empty or NaN grid', () => {
    expect(() => bestDice([new Float32Array(3)], [new Float32Array(3)])).toThrow(
      'bestDice needs lesion (mask 1) pixels; got only 3 background (mask 0) pixels',
    );
    expect(bestDice([Float32Array.from([0.2, 0.4])], [Float32Array.from([1, 1])])).toEqual({ dice: 1, threshold: Math.fround(0.2) });
    const one = [Float32Array.from([0.2, 0.4])];
    const mask = [Float32Array.from([0, 1])];
    expect(() => bestDice(one, mask, [])).toThrow('bestDice: thresholds is empty');
    expect(() => bestDice(one, mask, [0.1, NaN])).toThrow('bestDice: threshold at index 1 is NaN');
  });
});
