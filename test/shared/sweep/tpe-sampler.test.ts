import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';
import { RandomSampler } from '../../../shared/sweep/random-sampler.ts';
import type { FinishedTrial, RunningTrial, Sampler, TrialParams } from '../../../shared/sweep/sampler.ts';
import type { SearchSpace } from '../../../shared/sweep/search-space.ts';
import { TpeSampler } from '../../../shared/sweep/tpe-sampler.ts';

const space: SearchSpace = {
  'trainer.params.lr': { distribution: 'log_uniform', min: 1e-6, max: 1e-1 },
  'trainer.params.beta': { distribution: 'uniform', min: 0, max: 10 },
  'model.params.channels': { values: [[8, 16], [16, 32], [32, 64], [64, 128]] },
};

const channelPenalty: Record<string, number> = { '[8,16]': 2, '[16,32]': 1, '[32,64]': 0, '[64,128]': 0.5 };

function objective(params: TrialParams): number {
  const lr = params['trainer.params.lr'] as number;
  const beta = params['trainer.params.beta'] as number;
  return (Math.log10(lr) + 3.3) ** 2 + 0.1 * (beta - 3) ** 2 + channelPenalty[JSON.stringify(params['model.params.channels'])];
}

/** Best loss of a sweep of `budget` trials with `concurrency` in flight, the oldest finishing first. */
function bestOf(sampler: Sampler, seed: number, budget: number, concurrency: number): number {
  const random = new SeededRandom(seed);
  const finished: FinishedTrial[] = [];
  const running: RunningTrial[] = [];
  let proposed = 0;
  while (finished.length < budget) {
    while (running.length < concurrency && proposed < budget) {
      const params = sampler.propose({ finished, running, random });
      if (params === null) throw new Error('sampler ran dry');
      running.push({ params });
      proposed++;
    }
    const done = running.shift() as RunningTrial;
    finished.push({ params: done.params, value: objective(done.params) });
  }
  return Math.min(...finished.map((trial) => trial.value));
}

function meanBest(make: () => Sampler, concurrency: number): number {
  const seeds = Array.from({ length: 10 }, (_, i) => 1000 + i);
  return seeds.reduce((sum, seed) => sum + bestOf(make(), seed, 40, concurrency), 0) / seeds.length;
}

describe('TpeSampler', () => {
  it.each([1, 4])('finds a better optimum than random search with 40 trials, %i in flight (mean over 10 seeds)', (concurrency) => {
    const tpe = meanBest(() => new TpeSampler(space), concurrency);
    const random = meanBest(() => new RandomSampler(space), concurrency);
    console.log(`concurrency ${concurrency}: mean best TPE ${tpe.toFixed(4)}, random ${random.toFixed(4)}`);
    expect(tpe).toBeLessThan(random);
  });

  it('makes different proposals for the same finished trials as running ones pile up (constant liar)', () => {
    const sampler = new TpeSampler(space);
    const start = new SeededRandom(3);
    const finished: FinishedTrial[] = Array.from({ length: 12 }, () => {
      const params = new RandomSampler(space).propose({ finished: [], running: [], random: start });
      return { params, value: objective(params) };
    });
    const running: RunningTrial[] = [];
    const proposals: string[] = [];
    for (let i = 0; i < 4; i++) {
      // The same generator state each time: only the running trials can change the answer.
      const params = sampler.propose({ finished, running, random: new SeededRandom(99) });
      proposals.push(JSON.stringify(params));
      running.push({ params });
    }
    expect(new Set(proposals).size).toBe(4);
    expect(JSON.stringify(sampler.propose({ finished, running: [], random: new SeededRandom(99) }))).toBe(proposals[0]);
  });

  it('proposes values inside the space, quantised and integer where asked', () => {
    const small: SearchSpace = {
      n: { distribution: 'int_uniform', min: 1, max: 3 },
      q: { distribution: 'log_uniform', min: 1, max: 100, q: 5 },
    };
    const sampler = new TpeSampler(small, { startupTrials: 3 });
    const random = new SeededRandom(5);
    const finished: FinishedTrial[] = [];
    for (let i = 0; i < 30; i++) {
      const params = sampler.propose({ finished, running: [], random });
      expect([1, 2, 3]).toContain(params.n);
      expect(((params.q as number) - 1) % 5).toBe(0);
      expect(params.q).toBeLessThanOrEqual(100);
      finished.push({ params, value: Math.abs((params.n as number) - 2) + (params.q as number) / 100 });
    }
    const late = finished.slice(20);
    expect(late.filter((trial) => trial.params.n === 2).length).toBeGreaterThan(5);
  });

  it('rejects options outside their range', () => {
    expect(() => new TpeSampler(space, { gamma: 1 })).toThrow(/gamma must be in \(0, 1\)/);
    expect(() => new TpeSampler(space, { startupTrials: 0 })).toThrow(/startupTrials/);
  });
});
