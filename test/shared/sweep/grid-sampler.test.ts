import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';
import { GridSampler, gridSize } from '../../../shared/sweep/grid-sampler.ts';
import type { FinishedTrial, RunningTrial, TrialParams } from '../../../shared/sweep/sampler.ts';
import { canonicalKey, type SearchSpace } from '../../../shared/sweep/search-space.ts';

const space: SearchSpace = {
  'trainer.params.lr': { values: [1e-3, 1e-4] },
  'model.params.channels': { values: [[16, 32], [32, 64], { widths: [8] }] },
  'trainer.params.beta': { values: [1, 3] },
};

describe('GridSampler', () => {
  it('proposes every point of the product once, in a fixed order, then null', () => {
    const sampler = new GridSampler(space);
    const finished: FinishedTrial[] = [];
    const running: RunningTrial[] = [];
    const proposed: TrialParams[] = [];
    for (;;) {
      const params = sampler.propose({ finished, running, random: new SeededRandom(0) });
      if (params === null) break;
      proposed.push(params);
      // Half of the points stay running so both lists count as taken.
      if (proposed.length % 2 === 0) running.push({ params });
      else finished.push({ params, value: proposed.length });
      expect(proposed.length).toBeLessThanOrEqual(12);
    }
    expect(gridSize(space)).toBe(12);
    expect(proposed).toHaveLength(12);
    const expected = [1e-3, 1e-4].flatMap((lr) =>
      [[16, 32], [32, 64], { widths: [8] }].flatMap((channels) => [1, 3].map((beta) => canonicalKey([lr, channels, beta]))),
    );
    expect(proposed.map((p) => canonicalKey([p['trainer.params.lr'], p['model.params.channels'], p['trainer.params.beta']]))).toEqual(expected);
    expect(proposed[0]).toEqual({ 'trainer.params.lr': 1e-3, 'model.params.channels': [16, 32], 'trainer.params.beta': 1 });
  });

  it('skips points that a restarted controller already holds, whatever their key order', () => {
    const sampler = new GridSampler({ a: { values: [{ x: 1, y: 2 }, 'b'] } });
    const next = sampler.propose({ finished: [{ params: { a: { y: 2, x: 1 } }, value: 0 }], running: [], random: new SeededRandom(0) });
    expect(next).toEqual({ a: 'b' });
  });

  it('refuses continuous parameters, naming them', () => {
    expect(() => new GridSampler({ a: { values: [1] }, 'trainer.lr': { distribution: 'log_uniform', min: 1e-4, max: 1 } })).toThrow(ConfigError);
    expect(() => new GridSampler({ 'trainer.lr': { distribution: 'log_uniform', min: 1e-4, max: 1 } })).toThrow(/trainer\.lr: grid search needs a `values` list/);
    expect(gridSize({ a: { values: [1, 2] }, b: { distribution: 'uniform', min: 0, max: 1 } })).toBe(Infinity);
  });
});
