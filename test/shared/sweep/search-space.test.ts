import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { canonicalKey, parseSearchSpace, searchSpaceProblems, snapToParameter } from '../../../shared/sweep/search-space.ts';

describe('searchSpaceProblems', () => {
  it('accepts categorical lists of any values and the three distributions', () => {
    expect(
      searchSpaceProblems({
        'model.params.channels': { values: [[16, 32], [32, 64]] },
        'trainer.params.lr': { distribution: 'log_uniform', min: 1e-5, max: 1e-2 },
        'trainer.params.beta': { distribution: 'uniform', min: 0, max: 5, q: 0.5 },
        'trainer.params.batch_size': { distribution: 'int_uniform', min: 4, max: 32, q: 4 },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ a: { values: [] } }, 'parameters.a.values', 'at least one value'],
    [{ a: { distribution: 'uniform', min: 2, max: 1 } }, 'parameters.a.min', 'less than max'],
    [{ a: { distribution: 'log_uniform', min: 0, max: 1 } }, 'parameters.a.min', 'min > 0'],
    [{ a: { distribution: 'normal', min: 0, max: 1 } }, 'parameters.a.distribution', 'unknown distribution "normal"'],
    [{ a: { distribution: 'int_uniform', min: 0.5, max: 3 } }, 'parameters.a.min', 'integer'],
    [{ a: { distribution: 'uniform', min: 0, maximum: 1 } }, 'parameters.a.maximum', 'unknown field'],
    [{ a: { values: [1, 1] } }, 'parameters.a.values', 'listed twice'],
    [{ a: { values: [1], distribution: 'uniform' } }, 'parameters.a', 'not both'],
  ])('rejects %j naming %s', (space, key, message) => {
    const problems = searchSpaceProblems(space, 'parameters.');
    expect(problems[0].key).toBe(key);
    expect(problems[0].message).toContain(message);
  });

  it('throws a ConfigError whose message names the source and the parameter', () => {
    expect(() => parseSearchSpace({ 'trainer.lr': { values: [] } }, 'request body', 'parameters.')).toThrow(
      new ConfigError('request body', { key: 'parameters.trainer.lr.values', message: 'expected at least one value' }),
    );
  });
});

describe('snapToParameter and canonicalKey', () => {
  it('snaps quantised values to min + k·q without float noise and clamps to the range', () => {
    expect(snapToParameter({ distribution: 'uniform', min: 0.1, max: 1, q: 0.1 }, 0.31)).toBe(0.3);
    expect(snapToParameter({ distribution: 'int_uniform', min: 4, max: 32, q: 4 }, 33)).toBe(32);
  });

  it('treats objects with the same entries in another order as the same value', () => {
    expect(canonicalKey({ a: 1, b: [2, { c: 3, d: 4 }] })).toBe(canonicalKey({ b: [2, { d: 4, c: 3 }], a: 1 }));
  });
});
