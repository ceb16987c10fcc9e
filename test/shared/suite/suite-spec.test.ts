import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { loadSuiteSpecFile, parseSuiteSpec } from '../../../shared/suite/suite-spec.ts';

const configsDir = path.resolve('configs');

afterEach(() => {
  vi.unstubAllEnvs();
});

function refusal(text: string): string {
  try {
    parseSuiteSpec(text, 'suite.yaml', configsDir);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('suite files', () => {
  it('the smoke suite gives two methods × two seeds, each run with its seed and a fixed id', () => {
    const { spec, entries } = loadSuiteSpecFile(path.join(configsDir, 'suites/smoke.yaml'), 'configs/suites/smoke.yaml', configsDir);
    expect(spec.name).toBe('smoke');
    expect(entries.map((entry) => [entry.label, entry.seed, entry.config.seed])).toEqual([
      ['AE', 2109, 2109],
      ['AE', 1, 1],
      ['MorphAEus', 2109, 2109],
      ['MorphAEus', 1, 1],
    ]);
    const again = loadSuiteSpecFile(path.join(configsDir, 'suites/smoke.yaml'), 'configs/suites/smoke.yaml', configsDir);
    expect(again.entries.map((entry) => entry.runId)).toEqual(entries.map((entry) => entry.runId));
    expect(new Set(entries.map((entry) => entry.runId)).size).toBe(4);
    expect(entries[0].runId).toMatch(/^smoke-ae-s2109-[0-9a-f]{6}$/);
  });

  it('the CXR suite names the nine CXR configs over three seeds; MorphAEus needs the VGG19 weights file', () => {
    expect(() => loadSuiteSpecFile(path.join(configsDir, 'suites/cxr.yaml'), 'configs/suites/cxr.yaml', configsDir)).toThrow(
      /^configs\/suites\/cxr\.yaml:\d+:\d+: methods\[0\]\.config: .*trainer\.params\.alfa: alfa = 0\.05 weights a perceptual loss/,
    );
    // Any file passes the submission check; the trainer verifies the tensors when it starts.
    vi.stubEnv('AELAB_VGG19_WEIGHTS', path.resolve('package.json'));
    const { spec, entries } = loadSuiteSpecFile(path.join(configsDir, 'suites/cxr.yaml'), 'configs/suites/cxr.yaml', configsDir);
    expect(spec.methods).toHaveLength(9);
    expect(spec.seeds).toEqual([2109, 1, 2]);
    expect(entries).toHaveLength(27);
  });

  it('labels that read alike still get their own run ids', () => {
    const { entries } = parseSuiteSpec({ name: 's', seeds: [1], methods: [{ label: 'AE-S', config: 'smoke/ae-s.yaml' }, { label: 'AE S', config: 'smoke/ae-s.yaml' }] }, 'suite', configsDir);
    expect(entries[0].runId).not.toBe(entries[1].runId);
  });

  it('overrides apply per method, and a bad override is blamed on the method with the config key', () => {
    const { entries } = parseSuiteSpec({ name: 's', seeds: [1], methods: [{ label: 'AE', config: 'smoke/baseline.yaml', overrides: { 'trainer.params.nr_epochs': 7 } }] }, 'suite', configsDir);
    expect(entries[0].config.trainer.params.nrEpochs).toBe(7);
    expect(refusal('name: s\nseeds: [1]\nmethods:\n  - {label: AE, config: smoke/baseline.yaml, overrides: {trainer.params.nr_epochs: -1}}\n')).toMatch(
      /^suite\.yaml:4:\d+: methods\[0\]\.config: "smoke\/baseline\.yaml" is not a usable experiment config: .*trainer\.params\.nr_epochs/,
    );
  });

  it('gives every run the suite\'s requires and priority over its config\'s, a method\'s overrides over the suite\'s, and refuses a malformed label by line and key', () => {
    const methods = [
      { label: 'AE', config: 'smoke/baseline.yaml' },
      { label: 'Morph', config: 'smoke/morphaeus.yaml', overrides: { requires: [], priority: 'high' } },
    ];
    const { entries, spec } = parseSuiteSpec({ name: 's', seeds: [1], requires: ['gpu', 'a100'], priority: 'low', methods }, 'suite', configsDir);
    expect(spec).toMatchObject({ requires: ['a100', 'gpu'], priority: 'low' });
    expect(entries.map((entry) => [entry.label, entry.config.requires, entry.config.priority])).toEqual([
      ['AE', ['a100', 'gpu'], 'low'],
      ['Morph', [], 'high'],
    ]);
    expect(entries[0].raw).toMatchObject({ requires: ['a100', 'gpu'], priority: 'low' });
    const plain = parseSuiteSpec({ name: 's', seeds: [1], methods: [methods[0]] }, 'suite', configsDir);
    expect(plain.entries[0].config).toMatchObject({ requires: [], priority: 'normal' });
    expect(refusal('name: s\nseeds: [1]\nrequires: [GPU!]\nmethods:\n  - {label: AE, config: smoke/baseline.yaml}\n')).toMatch(/^suite\.yaml:3:\d+: requires\[0\]: expected a label/);
    expect(refusal('name: s\nseeds: [1]\npriority: urgent\nmethods:\n  - {label: AE, config: smoke/baseline.yaml}\n')).toMatch(/^suite\.yaml:3:\d+: priority/);
  });

  it('names file, line and key of each problem', () => {
    expect(refusal('name: s\nseeds: [1, 2, 1]\nmethods:\n  - {label: AE, config: smoke/baseline.yaml}\n')).toMatch(/^suite\.yaml:2:\d+: seeds\[2\]: seed 1 is listed twice/);
    expect(refusal('name: bad name\nseeds: [1]\nmethods:\n  - {label: AE, config: smoke/baseline.yaml}\n')).toMatch(/^suite\.yaml:1:\d+: name: expected letters, digits/);
    expect(refusal('name: s\nseeds: []\nmethods:\n  - {label: AE, config: smoke/baseline.yaml}\n')).toMatch(/seeds: expected at least 1 item/);
    expect(refusal('name: s\nseeds: [1]\nmethods:\n  - {label: AE, config: smoke/sweep.yaml}\n')).toMatch(/methods\[0\]\.config: "smoke\/sweep\.yaml" is not a usable experiment config/);
  });
});
