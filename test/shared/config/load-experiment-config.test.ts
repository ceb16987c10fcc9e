import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadExperimentConfigFile,
  parseExperimentConfigObject,
  parseExperimentConfigText,
  resolveConfigPath,
  serializeConfigYaml,
} from '../../../shared/config/load-experiment-config.ts';
import { parseYaml } from '../../../shared/config/parse-yaml.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

const TEXT = `name: tiny
size: &size !!python/tuple [32, 32]
model:
  name: conv_autoencoder
  params:
    inshape: *size
trainer:
  name: reconstruction
  params:
    nr_epochs: 10
    loss: {name: l2}
    optimizer_params: {lr: 1.0e-3}
  data_loader:
    name: phantoms
    params:
      args: {target_size: *size, seed: 7}
`;

describe('loading experiment configs', () => {
  it('loads a file with overrides and returns the overridden raw config', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aelab-config-'));
    const file = path.join(dir, 'tiny.yaml');
    writeFileSync(file, TEXT);
    const { raw, config } = loadExperimentConfigFile(file, { 'trainer.params.nr_epochs': 2 });
    expect(config.trainer.params.nrEpochs).toBe(2);
    expect((raw.trainer as { params: { nr_epochs: number } }).params.nr_epochs).toBe(2);
    expect(config.trainer.dataLoader.targetSize).toEqual([32, 32]);
  });

  it('names the file it cannot read, as the caller names it', () => {
    expect(() => loadExperimentConfigFile('/nonexistent/x.yaml')).toThrow('/nonexistent/x.yaml: cannot read the config file (ENOENT)');
    expect(() => loadExperimentConfigFile('/nonexistent/x.yaml', {}, 'configs/x.yaml')).toThrow(/^configs\/x\.yaml: cannot read the config file \(ENOENT\)$/);
  });

  it('names the override that wrote into a mapping with a problem, keeping its line', () => {
    const error = configErrorOf(() => parseExperimentConfigText(`${TEXT}experiment:\n  weights:\n`, 'tiny.yaml', { 'experiment.weights.file': 'x.pt' }));
    expect(error.message).toBe('tiny.yaml:18:3: experiment.weights: expected a string, got a mapping (after override experiment.weights.file)');
  });

  it('blames an override, not a line, for a bad overridden value', () => {
    const error = configErrorOf(() => parseExperimentConfigText(TEXT, 'tiny.yaml', { 'trainer.params.nr_epochs': 'many' }));
    expect(error.message).toBe('tiny.yaml: trainer.params.nr_epochs: expected a number, got "many" (set by override trainer.params.nr_epochs)');
  });

  it('refuses a document that is not a mapping', () => {
    expect(configErrorOf(() => parseExperimentConfigText('- 1\n', 'body')).message).toBe('body:1:1: expected a mapping at the top level, got a list');
    expect(configErrorOf(() => parseExperimentConfigObject('x', 'request body')).message).toBe(
      'request body: expected a mapping at the top level, got "x"',
    );
  });

  it('serializes YAML that reads back to the same data', () => {
    const { raw } = parseExperimentConfigText(TEXT, 'tiny.yaml');
    const yaml = serializeConfigYaml(raw);
    expect(yaml).toContain('target_size: [32, 32]');
    expect(yaml).not.toContain('&');
    expect(parseYaml(yaml, 'round trip').value).toEqual(raw);
    expect(parseExperimentConfigText(yaml, 'round trip').config).toEqual(parseExperimentConfigText(TEXT, 'tiny.yaml').config);
  });
});

describe('resolveConfigPath', () => {
  const configsDir = '/srv/aelab/configs';

  it('resolves paths under the configs directory, with or without its name in front', () => {
    expect(resolveConfigPath(configsDir, 'smoke/baseline.yaml')).toBe('/srv/aelab/configs/smoke/baseline.yaml');
    expect(resolveConfigPath(configsDir, 'configs/smoke/baseline.yaml')).toBe('/srv/aelab/configs/smoke/baseline.yaml');
  });

  it('refuses paths that could leave it', () => {
    expect(() => resolveConfigPath(configsDir, '../x.yaml')).toThrow(
      'configPath: "../x.yaml" contains ".."; only files under the configs directory can be used',
    );
    expect(() => resolveConfigPath(configsDir, 'smoke/../../x.yaml')).toThrow('contains ".."');
    expect(() => resolveConfigPath(configsDir, '/etc/passwd')).toThrow('configPath: "/etc/passwd" is absolute');
    expect(() => resolveConfigPath(configsDir, 'smoke\\..\\..\\x.yaml')).toThrow('contains a backslash');
    expect(() => resolveConfigPath(configsDir, 'smoke/notes.txt')).toThrow('is not a .yaml or .yml file');
    expect(() => resolveConfigPath(configsDir, '')).toThrow('is empty');
  });
});
