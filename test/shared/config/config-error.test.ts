import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';

describe('ConfigError', () => {
  it('names source, line, column and key', () => {
    const error = new ConfigError('configs/x.yaml', {
      key: 'trainer.params.optimizer_params.lr',
      message: 'expected a number, got "abc"',
      line: 42,
      column: 7,
    });
    expect(error.message).toBe('configs/x.yaml:42:7: trainer.params.optimizer_params.lr: expected a number, got "abc"');
    expect(error).toMatchObject({ source: 'configs/x.yaml', key: 'trainer.params.optimizer_params.lr', line: 42, column: 7 });
  });

  it('leaves out what is unknown', () => {
    expect(new ConfigError('request body', { key: 'model', message: 'missing' }).message).toBe('request body: model: missing');
    expect(new ConfigError('a.yaml', { key: '', message: 'empty', line: 1, column: 1 }).message).toBe('a.yaml:1:1: empty');
  });

  it('lists several problems one per line, in file order', () => {
    const error = new ConfigError('a.yaml', [
      { key: 'b', message: 'second', line: 9, column: 3 },
      { key: 'c', message: 'no line' },
      { key: 'a', message: 'first', line: 2, column: 1 },
    ]);
    expect(error.message.split('\n')).toEqual(['a.yaml:2:1: a: first', 'a.yaml:9:3: b: second', 'a.yaml: c: no line']);
    expect(error.key).toBe('a');
    expect(error.problems).toHaveLength(3);
  });
});
