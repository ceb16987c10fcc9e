import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../../shared/ml/training/early-stopping.ts';

describe('EarlyStopping (official semantics)', () => {
  it('stores the first loss, then stops once patience epochs in a row bring no improvement', () => {
    const stopping = new EarlyStopping({ patience: 3 });
    expect(stopping.step(1)).toBe(false);
    expect(stopping.step(1)).toBe(false);
    expect(stopping.step(2)).toBe(false);
    expect(stopping.step(1)).toBe(true);
    expect(stopping.state()).toEqual({ bestLoss: 1, counter: 3, stop: true });
  });

  it('an improvement larger than 1e-8 resets the counter; a smaller one does not', () => {
    const stopping = new EarlyStopping({ patience: 2 });
    stopping.step(1);
    stopping.step(1.5);
    stopping.step(0.9);
    expect(stopping.state().counter).toBe(0);
    stopping.step(0.9 - 5e-9);
    expect(stopping.state()).toMatchObject({ bestLoss: 0.9, counter: 1 });
    expect(stopping.step(0.9 - 9e-9)).toBe(true);
  });

  it('defaults to patience 25', () => {
    const stopping = new EarlyStopping();
    stopping.step(1);
    const stops = Array.from({ length: 25 }, () => stopping.step(1));
    expect(stops.indexOf(true)).toBe(24);
  });

  it('continues from a saved state', () => {
    const a = new EarlyStopping({ patience: 4 });
    [1, 1, 1].forEach((loss) => a.step(loss));
    const b = new EarlyStopping({ patience: 4 });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    expect(b.step(1)).toBe(false);
    expect(b.step(1)).toBe(true);
    expect(() => b.restore({ bestLoss: 'x' as unknown as number, counter: 0, stop: false })).toThrow(/malformed/);
  });
});
