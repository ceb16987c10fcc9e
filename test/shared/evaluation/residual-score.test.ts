import { describe, expect, it } from 'vitest';
import { residualScore } from '../../../shared/evaluation/residual-score.ts';

describe('residualScore', () => {
  it('gives the float32 map |x_rec − x| and its exact mean on a 128² image where a float32 running sum drifts', () => {
    const pixels = 128 * 128;
    // Residuals of k/4096 are exact in float32 and their sums exact in doubles: the true mean is known.
    const input = new Float32Array(pixels);
    const reconstruction = new Float32Array(pixels);
    let integerSum = 0;
    let integerSquares = 0;
    for (let p = 0; p < pixels; p += 1) {
      const k = (p * 2654435761) % 4093;
      input[p] = 0.25;
      reconstruction[p] = 0.25 + (p % 2 === 0 ? k : -k) / 4096;
      integerSum += k;
      integerSquares += k * k;
    }
    const { residual, score, mse } = residualScore(input, reconstruction);
    expect(residual[1]).toBe(Math.abs(reconstruction[1] - input[1]));
    expect(score).toBe(integerSum / 4096 / pixels);
    expect(mse).toBeCloseTo(integerSquares / 4096 / 4096 / pixels, 15);

    let float32Sum = 0;
    for (const value of residual) float32Sum = Math.fround(float32Sum + value);
    expect(Math.abs(float32Sum / pixels - score)).toBeGreaterThan(1e-7);
  });

  it('refuses an image and a reconstruction of different sizes', () => {
    expect(() => residualScore(new Float32Array(4), new Float32Array(3))).toThrow(/an image of 4 pixels and a reconstruction of 3/);
  });
});
