import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { parseExperimentConfigText } from '../../../shared/config/load-experiment-config.ts';
import { validateExperiment } from '../../../shared/experiment/validate-experiment.ts';

const MORPHAEUS = readFileSync('configs/smoke/morphaeus.yaml', 'utf8');
const BASELINE = readFileSync('configs/smoke/baseline.yaml', 'utf8');

/** The problems validateExperiment finds in `text` with `overrides`, as `line: key: message` strings. */
function problemsOf(text: string, overrides: Record<string, unknown> = {}): string[] {
  const loaded = parseExperimentConfigText(text, 'test.yaml', overrides);
  try {
    validateExperiment(loaded, 'test.yaml', Object.keys(overrides));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.line ?? '-'}: ${problem.key}: ${problem.message}`);
  }
  return [];
}

describe('validateExperiment', () => {
  it('accepts the smoke configs', () => {
    expect(problemsOf(MORPHAEUS)).toEqual([]);
    expect(problemsOf(BASELINE)).toEqual([]);
  });

  it('refuses a model that cannot be built at the data size, at the line of the param, and names the downstream size it cannot score', () => {
    const problems = problemsOf(MORPHAEUS, { 'model.params.inshape': [6, 6], 'trainer.data_loader.params.args.target_size': [6, 6] });
    expect(problems[0]).toMatch(/^28: model\.params\.strides: an input height of 6 goes through sizes 6 → 3/);
    expect(problems[1]).toMatch(/^\d+: downstream_tasks\.phantoms\.data_loader\.params\.args\.target_size: the model cannot score 32×32 images: model\.params\.inshape/);
  });

  it('names the kernel size, not the strides, when the strides would give the size back with the default kernel', () => {
    expect(problemsOf(BASELINE, { 'model.params.kernel_size': 274844564 })[0]).toMatch(/^-: model\.params\.kernel_size: an input height of 32 goes through sizes 32 → 16/);
  });

  it('refuses a trainer paired with a model it cannot train, and a trainer param of the wrong type', () => {
    expect(problemsOf(BASELINE, { 'trainer.name': 'sivae' })).toEqual([
      '-: trainer.name: trainer "sivae" trains soft_intro_vae, not model "conv_autoencoder" (set by override trainer.name)',
    ]);
    expect(problemsOf(MORPHAEUS, { 'trainer.params.morph_start_epoch': 'late' })[0]).toMatch(/^-: trainer\.params\.morph_start_epoch: expected a non-negative integer/);
  });

  it('names a bad loader arg once for the train and val splits, and a downstream dataset arg at its own entry', () => {
    expect(problemsOf(BASELINE, { 'trainer.data_loader.params.args.resize': 'nearest' })).toEqual([
      expect.stringMatching(/^-: trainer\.data_loader\.params\.args\.resize: phantoms loader: unknown args\.resize/),
    ]);
    const downstream = problemsOf(MORPHAEUS, { 'downstream_tasks.phantoms.data_loader.datasets.Opacity_phantoms.pathology': 'fracture' });
    expect(downstream).toEqual([
      expect.stringMatching(/^-: downstream_tasks\.phantoms\.data_loader\.datasets\.Opacity_phantoms\.pathology: .*must be null or one of opacity/),
    ]);
    // An unknown arg whose name holds a dot is still named at the entry that sets it.
    const dotted = problemsOf(MORPHAEUS.replace('          count: 16\n', '          count: 16\n          "a.b": 1\n'));
    expect(dotted).toEqual([expect.stringMatching(/: downstream_tasks\.phantoms\.data_loader\.datasets\.Normal_phantoms\.a\.b: phantoms loader: unknown args\.a\.b/)]);
  });

  it('refuses a dataset this version cannot read, naming the loader', () => {
    const problems = problemsOf(BASELINE.replace('name: phantoms', 'name: cifar10'));
    expect(problems[0]).toMatch(/: trainer\.data_loader\.name: this version has no reader for dataset "cifar10"; readable: phantoms, csv, idx/);
  });
});
