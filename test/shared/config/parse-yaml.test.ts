import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../shared/config/parse-yaml.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

describe('parseYaml', () => {
  it('reads !!python/tuple as a list and resolves anchors, aliases and merge keys', () => {
    const { value } = parseYaml(
      [
        'target_size: &size !!python/tuple [128, 128]',
        'defaults: &defaults {lr: 5.0e-4, patience: 25}',
        'trainer:',
        '  input_size: *size',
        '  params:',
        '    <<: *defaults',
        '    patience: 3',
        '  weights:',
      ].join('\n'),
      'a.yaml',
    );
    expect(value).toEqual({
      target_size: [128, 128],
      defaults: { lr: 5e-4, patience: 25 },
      trainer: { input_size: [128, 128], params: { lr: 5e-4, patience: 3 }, weights: null },
    });
  });

  it('records the line and column of every key and list item', () => {
    const { lines } = parseYaml(
      ['name: x', 'model:', '  params:', '    channels:', '      - 16', '      - 32', "    'quoted': [1, 2]"].join('\n'),
      'a.yaml',
    );
    expect(lines.get('name')).toEqual({ line: 1, column: 1 });
    expect(lines.get('model.params')).toEqual({ line: 3, column: 3 });
    expect(lines.get('model.params.channels[1]')).toEqual({ line: 6, column: 9 });
    expect(lines.get('model.params.quoted')).toEqual({ line: 7, column: 5 });
    expect(lines.get('model.params.quoted[1]')).toEqual({ line: 7, column: 19 });
  });

  it('reports a syntax error with its line and column', () => {
    const error = configErrorOf(() => parseYaml('name: x\nmodel:\n  name: a\n   params: 1\n', 'configs/bad.yaml'));
    expect(error.message).toBe('configs/bad.yaml:4:10: invalid YAML: bad indentation of a mapping entry');
    expect(error).toMatchObject({ line: 4, column: 10, key: '' });
  });

  it('reports duplicate keys, unknown aliases and several documents', () => {
    expect(configErrorOf(() => parseYaml('a: 1\na: 2\n', 'd.yaml')).message).toBe('d.yaml:2:1: invalid YAML: duplicated mapping key');
    expect(configErrorOf(() => parseYaml('a: *nope\n', 'd.yaml')).message).toBe('d.yaml:1:5: invalid YAML: unidentified alias "nope"');
    expect(configErrorOf(() => parseYaml('a: 1\n---\nb: 2\n', 'd.yaml')).message).toBe('d.yaml:3:1: expected one YAML document, found 2');
  });

  it('refuses aliases that expand to more values than any config holds, at the key where they do', () => {
    const lines = ['name: x', 'l0: &l0 [a, b, c, d, e, f, g, h, i, j]'];
    for (let level = 1; level < 9; level += 1) lines.push(`l${level}: &l${level} [${Array(10).fill(`*l${level - 1}`).join(', ')}]`);
    const error = configErrorOf(() => parseYaml(lines.join('\n'), 'bomb.yaml'));
    expect(error.message).toMatch(/^bomb\.yaml:\d+:\d+: l\d+(\[\d+\])*: aliases expand the document to more than 100000 values/);
    // A few aliases, as configs use them, are fine.
    expect(parseYaml('size: &s [128, 128]\na: *s\nb: *s\n', 'ok.yaml').value).toEqual({ size: [128, 128], a: [128, 128], b: [128, 128] });
  });

  it('refuses an alias inside its own anchor, which would repeat without end', () => {
    const error = configErrorOf(() => parseYaml('name: x\nloop: &loop\n  - 1\n  - *loop\n', 'loop.yaml'));
    expect(error.message).toBe('loop.yaml:4:5: loop[1]: an alias refers to a mapping or list that contains it, which would repeat without end');
  });
});
