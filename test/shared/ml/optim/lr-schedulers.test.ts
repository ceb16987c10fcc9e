import { describe, expect, it } from 'vitest';
import { buildLrScheduler } from '../../../../shared/ml/optim/lr-scheduler-registry.ts';
import { ReduceLrOnPlateau } from '../../../../shared/ml/optim/reduce-lr-on-plateau.ts';

describe('ReduceLrOnPlateau (PyTorch defaults: factor 0.1, patience 10, rel threshold 1e-4)', () => {
  it('keeps the lr through 10 bad epochs and divides it by 10 on the 11th', () => {
    const scheduler = new ReduceLrOnPlateau(1e-3);
    expect(scheduler.step(1)).toBe(1e-3);
    const lrs = Array.from({ length: 11 }, () => scheduler.step(1));
    expect(lrs.slice(0, 10)).toEqual(Array(10).fill(1e-3));
    expect(lrs[10]).toBeCloseTo(1e-4, 15);
    // The count starts over after a reduction.
    const next = Array.from({ length: 11 }, () => scheduler.step(1));
    expect(next[9]).toBeCloseTo(1e-4, 15);
    expect(next[10]).toBeCloseTo(1e-5, 15);
  });

  it('counts an improvement smaller than 1e-4 relative as a bad epoch', () => {
    const scheduler = new ReduceLrOnPlateau(1);
    scheduler.step(1);
    for (let k = 1; k <= 10; k++) scheduler.step(1 - k * 0.5e-5);
    expect(scheduler.lr).toBe(1);
    expect(scheduler.step(1 - 11 * 0.5e-5)).toBeCloseTo(0.1, 12);

    const improving = new ReduceLrOnPlateau(1);
    let loss = 1;
    for (let k = 0; k < 30; k++) improving.step((loss *= 1 - 2e-4));
    expect(improving.lr).toBe(1);
  });

  it('resumes from its state exactly where it was', () => {
    const a = new ReduceLrOnPlateau(1e-3);
    for (const loss of [1, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]) a.step(loss);
    const b = new ReduceLrOnPlateau(1e-3);
    b.restore(JSON.parse(JSON.stringify(a.state())));
    const losses = [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7];
    expect(losses.map((loss) => b.step(loss))).toEqual(losses.map((loss) => a.step(loss)));
    expect(b.lr).toBeCloseTo(1e-4, 15);
  });
});

describe('the official schedules stepped with the validation loss', () => {
  it('cosine: base·(1 + cos(π·loss/100))/2, i.e. effectively constant', () => {
    const scheduler = buildLrScheduler('cosine', 1e-4);
    expect(scheduler.lr).toBe(1e-4);
    expect(scheduler.step(0.05)).toBeCloseTo((1e-4 * (1 + Math.cos((Math.PI * 0.05) / 100))) / 2, 18);
    expect(scheduler.step(50)).toBeCloseTo(0.5e-4, 18);
  });

  it('exponential: base·0.97^loss', () => {
    const scheduler = buildLrScheduler('exponential', 1e-3);
    expect(scheduler.step(2)).toBeCloseTo(1e-3 * 0.97 ** 2, 18);
  });

  it('none keeps the lr; an unknown name lists the known ones; a foreign state is refused', () => {
    const none = buildLrScheduler('none', 5e-4);
    expect(none.step(123)).toBe(5e-4);
    expect(() => buildLrScheduler('step', 1)).toThrow(/lr_scheduler.*"step".*known: none, plateau, cosine, exponential/);
    expect(() => none.restore(buildLrScheduler('plateau', 1).state())).toThrow(/for "plateau", this run uses "none"/);
  });
});
