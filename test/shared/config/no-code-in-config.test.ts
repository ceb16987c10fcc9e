import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../../shared/config/config-error.ts';
import { parseExperimentConfigText } from '../../../shared/config/load-experiment-config.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

const SMOKE = readFileSync('configs/smoke/baseline.yaml', 'utf8');

function refusal(text: string): ConfigError {
  return configErrorOf(() => parseExperimentConfigText(text, 'hostile.yaml'));
}

describe('a config can never name code to run', () => {
  it('refuses YAML tags that would construct objects or call functions, at their line', () => {
    for (const tag of ['!!python/object/apply:os.system ["touch /tmp/pwned"]', '!!python/name:os.system', '!!js/function "function () { return 1 }"', '!<tag:yaml.org,2002:js/undefined> ""']) {
      const error = refusal(SMOKE.replace('seed: 2109', `seed: ${tag}`));
      expect(error.message, tag).toMatch(/hostile\.yaml/);
      expect(error.line, tag).toBe(SMOKE.split('\n').findIndex((line) => line.startsWith('seed:')) + 1);
    }
  });

  it('names models, losses and datasets only from the registries, listing the valid ones', () => {
    const model = refusal(SMOKE.replace('name: conv_autoencoder', 'module_name: os\n  class_name: system'));
    expect(model.message).toMatch(/conv_autoencoder/);
    expect(model.message).toMatch(/morphaeus/);
    const loss = refusal(SMOKE.replace('name: l2', 'name: __import__'));
    expect(loss.message).toMatch(/l1/);
    const dataset = refusal(SMOKE.replace('name: phantoms\n    params:\n      args:\n        target_size: [32, 32]\n        batch_size: 8', 'name: subprocess\n    params:\n      args:\n        target_size: [32, 32]\n        batch_size: 8'));
    expect(dataset.message).toMatch(/phantoms/);
  });
});
