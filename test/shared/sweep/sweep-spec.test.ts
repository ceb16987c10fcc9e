import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { loadSweepSpecFile, parseSweepSpec } from '../../../shared/sweep/sweep-spec.ts';

const configsDir = resolve('configs');
const options = { configsDir };

/** A valid random sweep over the smoke baseline; `change` edits a copy. */
function sweep(change: (spec: Record<string, unknown>) => void = () => undefined): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    name: 't',
    base: 'smoke/baseline.yaml',
    method: 'random',
    metric: { name: 'val.loss_prec', goal: 'minimize' },
    max_trials: 4,
    parameters: {
      'trainer.params.optimizer_params.lr': { distribution: 'log_uniform', min: 1e-4, max: 1e-2 },
      'model.params.channels': { values: [[8, 16, 16]] },
    },
  };
  change(spec);
  return spec;
}

function rejection(input: unknown): ConfigError {
  try {
    parseSweepSpec(input, 'request body', options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the sweep was accepted');
}

const parameters = (spec: Record<string, unknown>) => spec.parameters as Record<string, unknown>;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the sweep files', () => {
  it('configs/smoke/sweep.yaml: 8 random trials of the baseline AE under ASHA', () => {
    const { spec, baseConfig, baseRaw } = loadSweepSpecFile('configs/smoke/sweep.yaml', options);
    expect(spec).toMatchObject({
      name: 'smoke-sweep',
      base: 'configs/smoke/baseline.yaml',
      method: 'random',
      metric: { name: 'val.loss_prec', goal: 'minimize' },
      maxTrials: 8,
      maxConcurrent: 2,
      seed: 7,
      earlyTerminate: { type: 'asha', minEpochs: 1, reductionFactor: 2, maxEpochs: 4 },
    });
    expect(Object.keys(spec.parameters)).toEqual(['trainer.params.optimizer_params.lr', 'model.params.channels']);
    expect(baseConfig.model.name).toBe('conv_autoencoder');
    expect((baseRaw.model as { params: { channels: number[] } }).params.channels).toEqual([8, 16, 16]);
  });

  it('configs/sweeps/morphaeus-lr-beta.yaml: TPE over the official MorphAEus config, which needs the VGG19 weights file', () => {
    vi.stubEnv('AELAB_VGG19_WEIGHTS', '');
    expect(() => loadSweepSpecFile('configs/sweeps/morphaeus-lr-beta.yaml', options)).toThrow(/base: .*trainer\.params\.alfa: alfa = 0\.05 weights a perceptual loss/);
    vi.stubEnv('AELAB_VGG19_WEIGHTS', resolve('package.json'));
    const { spec, baseConfig } = loadSweepSpecFile('configs/sweeps/morphaeus-lr-beta.yaml', options);
    expect(spec).toMatchObject({ method: 'tpe', maxTrials: 40, maxConcurrent: 4, metric: { name: 'val.loss_mse' } });
    expect(spec.earlyTerminate).toEqual({ type: 'asha', minEpochs: 3, reductionFactor: 3, maxEpochs: 81 });
    expect(baseConfig.trainer.name).toBe('morph');
  });

  it('configs/sweeps/synthetic-grid.yaml: a grid of 6 trials by default', () => {
    const { spec, baseConfig } = loadSweepSpecFile('configs/sweeps/synthetic-grid.yaml', options);
    expect(spec).toMatchObject({ method: 'grid', maxTrials: 6, metric: { name: 'val.objective' }, earlyTerminate: null });
    expect(baseConfig.model.name).toBe('synthetic_objective');
  });

  it('accepts an inline base_config and fills the defaults', () => {
    const inline = loadSweepSpecFile('configs/sweeps/synthetic-grid.yaml', options).baseRaw;
    const parsed = parseSweepSpec(
      sweep((s) => {
        delete s.base;
        s.base_config = inline;
        s.metric = { name: 'val.objective' };
        s.parameters = { 'model.params.x': { distribution: 'uniform', min: 0, max: 1 } };
      }),
      'request body',
      options,
    );
    expect(parsed.spec).toMatchObject({ base: null, maxConcurrent: 1, seed: 0, metric: { goal: 'minimize' }, earlyTerminate: null });
    expect(parsed.baseConfig.model.name).toBe('synthetic_objective');
  });
});

describe('a sweep that cannot run is refused, naming the field', () => {
  it('a parameter path the base config does not have', () => {
    const error = rejection(sweep((s) => (parameters(s)['trainer.paramz.beta'] = { values: [1, 2] })));
    expect(error.key).toBe('parameters.trainer.paramz.beta');
    expect(error.message).toContain('no key "paramz" under trainer');
  });

  it('a model parameter the model does not take', () => {
    const error = rejection(sweep((s) => (parameters(s)['model.params.chanels'] = { values: [[8, 8, 8]] })));
    expect(error.key).toBe('parameters.model.params.chanels');
    expect(error.message).toContain('unknown parameter');
  });

  it('a value that makes the model invalid, whichever value of the list it is', () => {
    const error = rejection(sweep((s) => (parameters(s)['model.params.channels'] = { values: [[8, 16, 16], [8, -1, 16]] })));
    expect(error.key).toBe('parameters.model.params.channels');
    expect(error.message).toContain('[8,-1,16]');
  });

  it('a value the config format refuses', () => {
    const error = rejection(sweep((s) => (parameters(s)['trainer.params.beta'] = { values: [1, -3] })));
    expect(error.key).toBe('parameters.trainer.params.beta');
  });

  it('an empty range and an empty list', () => {
    const range = rejection(sweep((s) => (parameters(s)['trainer.params.optimizer_params.lr'] = { distribution: 'log_uniform', min: 1e-2, max: 1e-4 })));
    expect(range.key).toBe('parameters.trainer.params.optimizer_params.lr.min');
    const list = rejection(sweep((s) => (parameters(s)['trainer.params.beta'] = { values: [] })));
    expect(list.key).toBe('parameters.trainer.params.beta.values');
  });

  it('a grid larger than 10,000 points, or with a distribution', () => {
    const values = Array.from({ length: 101 }, (_, i) => i + 1);
    const big = rejection(
      sweep((s) => {
        s.method = 'grid';
        delete s.max_trials;
        s.parameters = { 'trainer.params.beta': { values }, 'trainer.params.delta': { values } };
      }),
    );
    expect(big.key).toBe('parameters');
    expect(big.message).toContain('10201 points');
    const ranged = rejection(sweep((s) => (s.method = 'grid')));
    expect(ranged.key).toBe('parameters.trainer.params.optimizer_params.lr');
  });

  it('more grid trials than grid points, or no max_trials for a random search', () => {
    expect(rejection(sweep((s) => {
      s.method = 'grid';
      s.parameters = { 'trainer.params.beta': { values: [1, 2] } };
    })).key).toBe('max_trials');
    expect(rejection(sweep((s) => delete s.max_trials)).key).toBe('max_trials');
  });

  it('a metric the trainer never reports', () => {
    const error = rejection(sweep((s) => (s.metric = { name: 'val.loss_mes', goal: 'minimize' })));
    expect(error.key).toBe('metric.name');
    expect(error.message).toContain('val.loss_prec, val.loss_mse, train.loss');
  });

  it('a metric only some trials report (the perceptual loss when alfa is swept to 0)', () => {
    vi.stubEnv('AELAB_VGG19_WEIGHTS', resolve('package.json'));
    const withPl = (alfas: number[]) =>
      sweep((s) => {
        s.metric = { name: 'val.loss_pl' };
        parameters(s)['trainer.params.alfa'] = { values: alfas };
      });
    expect(parseSweepSpec(withPl([0.1, 0.5]), 'request body', options).spec.metric.name).toBe('val.loss_pl');
    expect(rejection(withPl([0.1, 0])).key).toBe('metric.name');
  });

  it('a select_on metric, scored every epoch, ranks trials (ASHA included) only where the base config sets it', () => {
    const onAuroc = (selectOn: string | null) =>
      sweep((s) => {
        s.metric = { name: 'val.phantoms/Opacity_phantoms/auroc', goal: 'maximize' };
        s.early_terminate = { type: 'asha', min_epochs: 1, reduction_factor: 2, max_epochs: 4 };
        if (selectOn !== null) parameters(s)['trainer.params.select_on'] = { values: [selectOn] };
      });
    expect(parseSweepSpec(onAuroc('phantoms/Opacity_phantoms/auroc'), 'request body', options).spec.metric).toEqual({ name: 'val.phantoms/Opacity_phantoms/auroc', goal: 'maximize' });
    expect(rejection(onAuroc(null)).message).toMatch(/metric\.name: "val\.phantoms\/Opacity_phantoms\/auroc" is not reported every epoch/);
  });

  it('max_concurrent, max_trials and ASHA bounds', () => {
    expect(rejection(sweep((s) => (s.max_concurrent = 0))).key).toBe('max_concurrent');
    expect(rejection(sweep((s) => (s.max_trials = 0))).key).toBe('max_trials');
    const asha = { type: 'asha', min_epochs: 5, reduction_factor: 2, max_epochs: 4 };
    expect(rejection(sweep((s) => (s.early_terminate = asha))).key).toBe('early_terminate.min_epochs');
    expect(rejection(sweep((s) => (s.early_terminate = { ...asha, min_epochs: 1, reduction_factor: 1 }))).key).toBe(
      'early_terminate.reduction_factor',
    );
  });

  it('a base that is not a config, an unknown field', () => {
    const missing = rejection(sweep((s) => (s.base = 'configs/smoke/nope.yaml')));
    expect(missing.key).toBe('base');
    expect(missing.message).toContain('ENOENT');
    expect(rejection(sweep((s) => (s.base = '../package.json'))).key).toBe('base');
    expect(rejection(sweep((s) => (s.max_trial = 3))).key).toBe('max_trial');
  });

  it('a base whose own model is invalid: blamed on the base, not on a parameter', () => {
    const inline = rejection(sweep((s) => {
      delete s.base;
      s.base_config = { ...(loadSweepSpecFile('configs/smoke/sweep.yaml', options).baseRaw as Record<string, unknown>), model: { name: 'conv_autoencoder', params: { channels: [8], strides: [2], chanels: 1 } } };
    }));
    expect(inline.key).toBe('base_config.model.params.chanels');
    expect(inline.message).toContain('unknown parameter');
  });

  it('a parameter the base has no place for is named, with its own value', () => {
    const error = rejection(sweep((s) => (parameters(s)['model.paramz.x'] = { values: [3] })));
    expect(error.key).toBe('parameters.model.paramz.x');
    expect(error.message).toContain('model.paramz.x = 3 makes the config invalid: no key "paramz" under model');
  });

  it('more than 10,000 listed values in all', () => {
    const error = rejection(sweep((s) => (parameters(s)['model.params.channels'] = { values: Array.from({ length: 10_001 }, (_, i) => [i]) })));
    expect(error.key).toBe('parameters');
    expect(error.message).toContain('10001 values in all, more than 10000');
  });

  it('a base file that is missing, named as written, at the line of `base`', () => {
    const error = rejection(['name: t', 'base: smoke/nope.yaml', 'method: random', 'max_trials: 2', 'metric: {name: val.loss_prec}', 'parameters:', '  seed: {values: [1]}'].join('\n'));
    expect(error).toMatchObject({ key: 'base', line: 2 });
    expect(error.message).toContain('"smoke/nope.yaml" is not a usable experiment config: smoke/nope.yaml: cannot read the config file (ENOENT)');
    expect(error.message).not.toContain(configsDir);
  });

  it('YAML text: the error points at the parameter line', () => {
    const text = [
      'name: t',
      'base: smoke/baseline.yaml',
      'method: random',
      'max_trials: 2',
      'metric: {name: val.loss_prec}',
      'parameters:',
      '  trainer.params.optimizer_params.lr: {values: [0.001]}',
      '  trainer.paramz.beta: {values: [1]}',
    ].join('\n');
    const error = rejection(text);
    expect(error).toMatchObject({ key: 'parameters.trainer.paramz.beta', line: 8 });
    expect(error.message).toMatch(/^request body:8:3: parameters\.trainer\.paramz\.beta: /);
  });
});

describe('a sweep\'s routing', () => {
  it('gives every trial its own requires and priority over the base config\'s, and refuses a malformed label by key', () => {
    const { baseRaw, baseConfig } = parseSweepSpec(sweep((spec) => Object.assign(spec, { requires: ['gpu', 'a100'], priority: 'low' })), 'request body', options);
    expect(baseRaw).toMatchObject({ requires: ['a100', 'gpu'], priority: 'low' });
    expect(baseConfig).toMatchObject({ requires: ['a100', 'gpu'], priority: 'low' });
    expect(parseSweepSpec(sweep(), 'request body', options).baseConfig).toMatchObject({ requires: [], priority: 'normal' });
    expect(rejection(sweep((spec) => Object.assign(spec, { requires: ['GPU'] }))).message).toMatch(/requires\[0\]: expected a label/);
  });
});
