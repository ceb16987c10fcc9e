import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';
import { RandomSampler } from '../../../shared/sweep/random-sampler.ts';
import type { SearchSpace } from '../../../shared/sweep/search-space.ts';

const space: SearchSpace = {
  lr: { distribution: 'log_uniform', min: 1e-5, max: 1e-1 },
  beta: { distribution: 'uniform', min: 2, max: 4 },
  batch: { distribution: 'int_uniform', min: 1, max: 4 },
  step: { distribution: 'uniform', min: 0, max: 1, q: 0.25 },
  channels: { values: [[8, 16], [16, 32]] },
};

function draws(seed: number, n: number) {
  const sampler = new RandomSampler(space);
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => sampler.propose({ finished: [], running: [], random }));
}

describe('RandomSampler', () => {
  it('respects bounds, the log scale, integers and steps', () => {
    const points = draws(1, 2000);
    const lr = points.map((p) => p.lr as number);
    expect(Math.min(...lr)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...lr)).toBeLessThanOrEqual(1e-1);
    // Log-uniform over 4 decades: about a quarter of the draws fall in each decade.
    const belowMilli = lr.filter((x) => x < 1e-4).length / lr.length;
    expect(belowMilli).toBeGreaterThan(0.2);
    expect(belowMilli).toBeLessThan(0.3);
    const beta = points.map((p) => p.beta as number);
    expect(Math.min(...beta)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...beta)).toBeLessThanOrEqual(4);
    expect(new Set(points.map((p) => p.batch))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(points.map((p) => p.step))).toEqual(new Set([0, 0.25, 0.5, 0.75, 1]));
    expect(new Set(points.map((p) => JSON.stringify(p.channels)))).toEqual(new Set(['[8,16]', '[16,32]']));
  });

  it('is deterministic per seed and differs across seeds', () => {
    expect(draws(7, 5)).toEqual(draws(7, 5));
    expect(draws(7, 5)).not.toEqual(draws(8, 5));
  });
});
