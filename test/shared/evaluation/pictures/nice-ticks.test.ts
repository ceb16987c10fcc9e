import { describe, expect, it } from 'vitest';
import { formatTicks, niceTicks } from '../../../../shared/evaluation/pictures/nice-ticks.ts';

describe('niceTicks and formatTicks', () => {
  it('puts round values inside the range and labels them without float noise', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const ticks = niceTicks(0.0153, 0.0612, 6);
    expect(ticks).toEqual([0.02, 0.03, 0.04, 0.05, 0.06]);
    expect(formatTicks(ticks)).toEqual(['0.02', '0.03', '0.04', '0.05', '0.06']);
    expect(formatTicks(niceTicks(0, 30, 5))).toEqual(['0', '10', '20', '30']);
  });

  it('keeps labels of very small values apart', () => {
    const labels = formatTicks(niceTicks(1.01e-4, 1.09e-4, 5));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels[0]).toBe('1.02e-4');
  });
});
