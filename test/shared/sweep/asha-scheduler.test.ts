import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/random/seeded-random.ts';
import { AshaScheduler } from '../../../shared/sweep/asha-scheduler.ts';
import type { TrialReport } from '../../../shared/sweep/scheduler.ts';

describe('AshaScheduler', () => {
  it('puts rungs at r·η^k with the full budget last', () => {
    expect(new AshaScheduler({ minEpochs: 3, reductionFactor: 3, maxEpochs: 81 }).rungs()).toEqual([3, 9, 27, 81]);
    expect(new AshaScheduler({ minEpochs: 1, reductionFactor: 2, maxEpochs: 10 }).rungs()).toEqual([1, 2, 4, 8, 10]);
    expect(new AshaScheduler({ minEpochs: 5, maxEpochs: 5 }).rungs()).toEqual([5]);
  });

  it('rejects budgets that make no rungs, naming the option', () => {
    expect(() => new AshaScheduler({ minEpochs: 10, maxEpochs: 5 })).toThrow(/max_epochs must be an integer >= min_epochs/);
    expect(() => new AshaScheduler({ minEpochs: 1, reductionFactor: 1, maxEpochs: 5 })).toThrow(/reduction_factor/);
  });

  it('stops at least half of 9 trials with random losses at the first rung, and those before η reported', () => {
    const scheduler = new AshaScheduler({ minEpochs: 3, reductionFactor: 3, maxEpochs: 81 });
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = new SeededRandom(seed);
      const reports: TrialReport[] = [];
      const decisions = Array.from({ length: 9 }, (_, trialId) => {
        const report = { trialId, epoch: 3, value: random.nextFloat() };
        reports.push(report);
        return scheduler.decide(report, reports);
      });
      expect(decisions.slice(0, 2)).toEqual(['stop', 'stop']);
      expect(decisions.filter((d) => d === 'stop').length).toBeGreaterThanOrEqual(5);
      // Judged against the complete rung, exactly 9/3 go on.
      expect(reports.filter((r) => scheduler.decide(r, reports) === 'continue')).toHaveLength(3);
    }
  });

  it('lets a trial at the last rung or between rungs go on', () => {
    const scheduler = new AshaScheduler({ minEpochs: 1, reductionFactor: 2, maxEpochs: 4 });
    const reports = [{ trialId: 0, epoch: 4, value: 0.1 }];
    expect(scheduler.decide({ trialId: 1, epoch: 4, value: 9 }, reports)).toBe('continue');
    expect(scheduler.decide({ trialId: 1, epoch: 3, value: 9 }, [{ trialId: 0, epoch: 3, value: 0.1 }])).toBe('continue');
  });

  it('promotes a stopped trial once later, worse reports put it in the top 1/η', () => {
    const scheduler = new AshaScheduler({ minEpochs: 1, reductionFactor: 3, maxEpochs: 9 });
    const reports: TrialReport[] = [];
    const busy = new Set<number>();
    const report = (trialId: number, value: number) => {
      const r = { trialId, epoch: 1, value };
      reports.push(r);
      return scheduler.decide(r, reports);
    };
    expect(report(0, 0.1)).toBe('stop');
    expect(report(1, 0.5)).toBe('stop');
    expect(scheduler.promotable(reports, busy)).toBeNull();
    // Three at the rung: trial 0 is their best third, so it goes on to epoch 3.
    expect(report(2, 0.3)).toBe('stop');
    expect(scheduler.promotable(reports, busy)).toEqual({ trialId: 0, fromEpoch: 1, toEpoch: 3 });
    busy.add(0);
    expect(scheduler.promotable(reports, busy)).toBeNull();
    expect(report(3, 0.9)).toBe('stop');
    expect(report(4, 0.8)).toBe('stop');
    expect(scheduler.promotable(reports, busy)).toBeNull();
    // Six at the rung: the top two are 0 and 2, so 2 deserves epoch 3 now.
    expect(report(5, 0.7)).toBe('stop');
    expect(scheduler.promotable(reports, busy)).toEqual({ trialId: 2, fromEpoch: 1, toEpoch: 3 });
    // Once trials report at epoch 3 they are no longer stopped trials of rung 1.
    reports.push({ trialId: 0, epoch: 3, value: 0.05 }, { trialId: 2, epoch: 3, value: 0.2 });
    expect(scheduler.promotable(reports, new Set())).toBeNull();
    // A seventh report that beats them all goes on directly.
    expect(report(6, 0.01)).toBe('continue');
  });

  it('promotes from the deepest rung first', () => {
    const scheduler = new AshaScheduler({ minEpochs: 1, reductionFactor: 2, maxEpochs: 8 });
    const reports: TrialReport[] = [
      { trialId: 0, epoch: 1, value: 0.5 },
      { trialId: 1, epoch: 1, value: 0.4 },
      { trialId: 1, epoch: 2, value: 0.3 },
      { trialId: 2, epoch: 1, value: 0.9 },
      { trialId: 3, epoch: 1, value: 0.8 },
      { trialId: 4, epoch: 1, value: 0.1 },
      { trialId: 4, epoch: 2, value: 0.6 },
      { trialId: 5, epoch: 1, value: 0.95 },
    ];
    expect(reports.map((r, i) => scheduler.decide(r, reports.slice(0, i + 1)))).toEqual([
      'stop', 'continue', 'stop', 'stop', 'stop', 'continue', 'stop', 'stop',
    ]);
    // Trial 1 is the top half of rung 2; trial 0 is in the top half of rung 1 again.
    expect(scheduler.promotable(reports, new Set())).toEqual({ trialId: 1, fromEpoch: 2, toEpoch: 4 });
    expect(scheduler.promotable(reports, new Set([1]))).toEqual({ trialId: 0, fromEpoch: 1, toEpoch: 2 });
  });

  it('gives the same decisions and promotions when rebuilt from its report log', () => {
    const options = { minEpochs: 1, reductionFactor: 3, maxEpochs: 27 };
    const live = new AshaScheduler(options);
    const random = new SeededRandom(11);
    const reports: TrialReport[] = [];
    const decisions: string[] = [];
    for (let trialId = 0; trialId < 12; trialId++) {
      for (const epoch of live.rungs()) {
        const report = { trialId, epoch, value: random.nextFloat() / epoch };
        reports.push(report);
        const decision = live.decide(report, reports);
        decisions.push(decision);
        if (decision === 'stop') break;
      }
    }
    const log: TrialReport[] = JSON.parse(JSON.stringify(reports));
    const rebuilt = new AshaScheduler(options);
    expect(log.map((report, i) => rebuilt.decide(report, log.slice(0, i + 1)))).toEqual(decisions);
    expect(log.map((report, i) => rebuilt.decide(report, log.slice(0, i)))).toEqual(decisions);
    expect(rebuilt.promotable(log, new Set())).toEqual(live.promotable(reports, new Set()));
    expect(live.promotable(reports, new Set())).not.toBeNull();
  });

  it('ranks a diverged trial (NaN loss) below every finite one', () => {
    const scheduler = new AshaScheduler({ minEpochs: 1, reductionFactor: 2, maxEpochs: 4 });
    const reports = [{ trialId: 0, epoch: 1, value: 5 }];
    expect(scheduler.decide({ trialId: 1, epoch: 1, value: Number.NaN }, reports)).toBe('stop');
  });
});
