import { describe, expect, it } from 'vitest';
import { applyOverrides, parseOverrideAssignments } from '../../../shared/config/overrides.ts';
import { parseYaml } from '../../../shared/config/parse-yaml.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

const raw = (): Record<string, unknown> => ({
  trainer: { params: { nr_epochs: 500, loss: { name: 'l2', params: null }, optimizer_params: { lr: 5e-4 } } },
  model: { params: { channels: [16, 32] } },
});

describe('applyOverrides', () => {
  it('sets existing and new leaf keys on a copy', () => {
    const original = raw();
    const result = applyOverrides(
      original,
      { 'trainer.params.nr_epochs': 3, 'trainer.params.patience': 5, 'model.params.channels': [8, 16], 'trainer.params.loss.params.reduction': 'mean' },
      'overrides',
    );
    expect(result).toEqual({
      trainer: {
        params: { nr_epochs: 3, patience: 5, loss: { name: 'l2', params: { reduction: 'mean' } }, optimizer_params: { lr: 5e-4 } },
      },
      model: { params: { channels: [8, 16] } },
    });
    expect(original).toEqual(raw());
  });

  it('changes only the overridden copy of a YAML alias', () => {
    const { value } = parseYaml('shared: &s {lr: 1}\na: *s\nb: *s\n', 'a.yaml');
    const result = applyOverrides(value as Record<string, unknown>, { 'a.lr': 2 }, 'overrides');
    expect(result).toEqual({ shared: { lr: 1 }, a: { lr: 2 }, b: { lr: 1 } });
  });

  it('reports every bad path, naming it', () => {
    const error = configErrorOf(() =>
      applyOverrides(
        raw(),
        { 'trainer.paramz.lr': 1, 'trainer.params.nr_epochs.max': 2, 'model.params.channels.0': 8, 'a..b': 1, '__proto__.x': 1 },
        'request body overrides',
      ),
    );
    expect(error.message.split('\n')).toEqual([
      'request body overrides: trainer.paramz.lr: no key "paramz" under trainer (keys there: params)',
      'request body overrides: trainer.params.nr_epochs.max: trainer.params.nr_epochs is 500, not a mapping',
      'request body overrides: model.params.channels.0: model.params.channels is a list (override the whole list), not a mapping',
      'request body overrides: a..b: not a dotted key path (empty segment)',
      'request body overrides: __proto__.x: "__proto__" is not allowed as a key',
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseOverrideAssignments', () => {
  it('reads values as YAML', () => {
    expect(parseOverrideAssignments(['trainer.params.nr_epochs=3', 'model.params.channels=[8, 16]', 'name=a=b', 'experiment.weights=null'], 'cli')).toEqual({
      'trainer.params.nr_epochs': 3,
      'model.params.channels': [8, 16],
      name: 'a=b',
      'experiment.weights': null,
    });
  });

  it('refuses an assignment without a key', () => {
    expect(configErrorOf(() => parseOverrideAssignments(['=3'], 'cli')).message).toBe('cli: expected key.path=value, got "=3"');
  });
});
