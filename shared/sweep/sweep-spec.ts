import { gridSize } from './grid-sampler.ts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatConfigProblem, type ConfigProblem } from '../config/config-error.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import { findKeyPosition } from '../config/key-line-map.ts';
import {
  loadExperimentConfigFile,
  parseExperimentConfigObject,
  resolveConfigPath,
  type LoadedExperimentConfig,
} from '../config/load-experiment-config.ts';
import { applyOverrides } from '../config/overrides.ts';
import { parseYaml } from '../config/parse-yaml.ts';
import { resolveExperimentConfig } from '../config/resolve-experiment-config.ts';
import { validateWithSchema } from '../config/validate-with-schema.ts';
import { type JobPriority, jobPrioritySchema } from '../contracts/job-priority.ts';
import { canonicalLabels, requiredLabelsSchema } from '../contracts/worker-labels.ts';
import { validateExperiment } from '../experiment/validate-experiment.ts';
import { metricsOfRun } from '../ml/training/trainer-metrics.ts';
import { isCategorical, searchSpaceProblems, type ParameterSpec, type SearchSpace } from './search-space.ts';
import { systemErrorCode } from '../errors/system-error-code.ts';

export const SWEEP_METHODS = ['grid', 'random', 'tpe'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

/** The largest grid a sweep may enumerate. */
export const MAX_GRID_SIZE = 10_000;

/** Asynchronous successive halving: trials report at rungs min_epochs·rf^k up to max_epochs. */
export interface AshaSpec {
  type: 'asha';
  /** Epochs of the first rung, ≥ 1. */
  minEpochs: number;
  /** Keep the best 1/reductionFactor at each rung; an integer ≥ 2. */
  reductionFactor: number;
  /** Epochs a trial that is never stopped trains, ≥ minEpochs. */
  maxEpochs: number;
}

/** A validated sweep file, in canonical (camelCase) form. */
export interface SweepSpec {
  name: string;
  /** The base config path as written (relative to the configs directory, `configs/` prefix allowed); null when `base_config` is inline. */
  base: string | null;
  method: SweepMethod;
  /** A metric of the epoch records, `val.<key>` or `train.<key>`; goal default `minimize`. */
  metric: { name: string; goal: 'minimize' | 'maximize' };
  /** Trials to run; for `grid` default (and at most) the grid size, required otherwise. */
  maxTrials: number;
  /** Trials training at once; default 1. */
  maxConcurrent: number;
  /** Seed of the sampler; default 0. */
  seed: number;
  /** Default null: every trial trains the base config's nr_epochs. */
  earlyTerminate: AshaSpec | null;
  /** Dotted config path → parameter, in file order. */
  parameters: SearchSpace;
}

export interface ParsedSweepSpec {
  spec: SweepSpec;
  /** The base config as written (plain data), before any trial's overrides. */
  baseRaw: Record<string, unknown>;
  /** The base config, validated. */
  baseConfig: ExperimentConfig;
}

export interface ParseSweepSpecOptions {
  /** The configs directory that `base` is relative to. */
  configsDir: string;
}

const TOP_LEVEL_KEYS = [
  'name',
  'base',
  'base_config',
  'method',
  'metric',
  'max_trials',
  'max_concurrent',
  'seed',
  'early_terminate',
  'parameters',
  'requires',
  'priority',
] as const;

const positiveInt = z.number().int().min(1);

const sweepSchema = z.object({
  name: z.preprocess((value) => (typeof value === 'number' ? String(value) : value), z.string().min(1)),
  base: z.string().min(1).optional(),
  base_config: z.record(z.string(), z.unknown()).optional(),
  method: z.enum(SWEEP_METHODS),
  metric: z.strictObject({
    name: z.string().regex(/^(val|train)\.[^.]+$/, { error: 'expected `val.<metric>` or `train.<metric>`, e.g. val.loss_mse or val.<task>/<dataset>/auroc with select_on' }),
    goal: z.enum(['minimize', 'maximize']).default('minimize'),
  }),
  max_trials: positiveInt.optional(),
  max_concurrent: positiveInt.default(1),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  early_terminate: z
    .strictObject({
      type: z.literal('asha'),
      min_epochs: positiveInt,
      reduction_factor: z.number().int().min(2),
      max_epochs: positiveInt,
    })
    .nullish(),
  parameters: z.unknown(),
  /** Given here, they replace the base config's for every trial. */
  requires: requiredLabelsSchema.optional(),
  priority: jobPrioritySchema.optional(),
});

/** Reads and validates a sweep YAML file; see `parseSweepSpec`. */
export function loadSweepSpecFile(filePath: string, options: ParseSweepSpecOptions): ParsedSweepSpec {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    const reason = systemErrorCode(error) ?? String(error);
    throw new ConfigError(filePath, { key: '', message: `cannot read the sweep file (${reason})` });
  }
  return parseSweepSpec(text, filePath, options);
}

/**
 * Validates a sweep (YAML text, or the same structure as data) and loads its base config.
 * Throws a ConfigError from `source` whose `key` names the field at fault (e.g.
 * `parameters.trainer.params.beta`, `metric.name`, `early_terminate.min_epochs`): a
 * parameter path the base config does not have (applyOverrides' rule: its parent
 * mapping must exist), a value that makes the config or the model params invalid, an
 * empty range, a grid larger than MAX_GRID_SIZE, a metric the trainer never reports.
 */
export function parseSweepSpec(input: unknown, source: string, options: ParseSweepSpecOptions): ParsedSweepSpec {
  const { value, lines } = typeof input === 'string' ? parseYaml(input, source) : { value: input, lines: undefined };
  const fail = (problems: ConfigProblem[]): ConfigError =>
    new ConfigError(
      source,
      problems.map((problem) => ({ ...problem, ...findKeyPosition(lines, problem.key) })),
    );

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail([{ key: '', message: 'expected a mapping with name, base, method, metric and parameters' }]);
  }
  const unknownKeys = Object.keys(value).filter((key) => !(TOP_LEVEL_KEYS as readonly string[]).includes(key));
  if (unknownKeys.length > 0) {
    throw fail(unknownKeys.map((key) => ({ key, message: `unknown field; expected one of ${TOP_LEVEL_KEYS.join(', ')}` })));
  }
  const written = validateWithSchema(sweepSchema, value, source, lines);
  const parametersWritten: unknown = written.parameters;
  const problems = searchSpaceProblems(parametersWritten, 'parameters.');
  if (written.base === undefined && written.base_config === undefined) {
    problems.push({ key: 'base', message: 'missing; name a config under the configs directory (or give base_config inline)' });
  }
  if (written.base !== undefined && written.base_config !== undefined) {
    problems.push({ key: 'base_config', message: 'give either base or base_config, not both' });
  }
  const asha = written.early_terminate ?? null;
  if (asha !== null && asha.min_epochs > asha.max_epochs) {
    problems.push({ key: 'early_terminate.min_epochs', message: `min_epochs (${asha.min_epochs}) must be at most max_epochs (${asha.max_epochs})` });
  }
  if (problems.length > 0) throw fail(problems);
  const parameters = parametersWritten as SearchSpace;

  const maxTrials = trialCount(written.method, written.max_trials, parameters, problems);
  if (problems.length > 0) throw fail(problems);

  let base: LoadedExperimentConfig;
  try {
    base = loadBase(written.base, written.base_config, source, options.configsDir);
  } catch (error) {
    throw error instanceof ConfigError ? fail([...error.problems]) : error;
  }
  problems.push(...parameterProblems(base.raw, parameters, written.metric.name, source));
  if (problems.length > 0) throw fail(problems);

  return {
    spec: {
      name: written.name,
      base: written.base ?? null,
      method: written.method,
      metric: written.metric,
      maxTrials,
      maxConcurrent: written.max_concurrent,
      seed: written.seed,
      earlyTerminate:
        asha === null ? null : { type: 'asha', minEpochs: asha.min_epochs, reductionFactor: asha.reduction_factor, maxEpochs: asha.max_epochs },
      parameters,
    },
    ...withRouting(base, written.requires, written.priority),
  };
}

/** The base config with the sweep's own `requires` and `priority`, where it gives them. */
function withRouting(base: LoadedExperimentConfig, requires: string[] | undefined, priority: JobPriority | undefined): Pick<ParsedSweepSpec, 'baseRaw' | 'baseConfig'> {
  const routing = {
    ...(requires === undefined ? {} : { requires: canonicalLabels(requires) }),
    ...(priority === undefined ? {} : { priority }),
  };
  return { baseRaw: { ...base.raw, ...routing }, baseConfig: { ...base.config, ...routing } };
}

function trialCount(method: SweepMethod, written: number | undefined, parameters: SearchSpace, problems: ConfigProblem[]): number {
  if (method !== 'grid') {
    if (written === undefined) problems.push({ key: 'max_trials', message: `missing; a ${method} search needs a number of trials` });
    return written ?? 0;
  }
  for (const [path, spec] of Object.entries(parameters)) {
    if (!isCategorical(spec)) {
      problems.push({ key: `parameters.${path}`, message: 'a grid search needs `values: [...]`, not a distribution' });
    }
  }
  if (problems.length > 0) return 0;
  const size = gridSize(parameters);
  if (size > MAX_GRID_SIZE) {
    const counts = Object.entries(parameters).map(([path, spec]) => `${path}: ${(spec as { values: unknown[] }).values.length}`);
    problems.push({ key: 'parameters', message: `the grid has ${size} points, more than ${MAX_GRID_SIZE} (${counts.join(', ')})` });
  } else if (written !== undefined && written > size) {
    problems.push({ key: 'max_trials', message: `${written} is more than the grid's ${size} points` });
  }
  return written ?? size;
}

function loadBase(
  base: string | undefined,
  inline: Record<string, unknown> | undefined,
  source: string,
  configsDir: string,
): LoadedExperimentConfig {
  if (inline !== undefined) {
    try {
      return validated(parseExperimentConfigObject(inline, source), source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(
        source,
        error.problems.map((problem) => ({ key: problem.key === '' ? 'base_config' : `base_config.${problem.key}`, message: problem.message })),
      );
    }
  }
  try {
    // Named as the sweep wrote it, not by the server's absolute path.
    return validated(loadExperimentConfigFile(resolveConfigPath(configsDir, base!), {}, base!), base!);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const why = error.problems.map((problem) => formatConfigProblem(error.source, problem)).join('; ');
    throw new ConfigError(source, { key: 'base', message: `${JSON.stringify(base)} is not a usable experiment config: ${why}` });
  }
}

/**
 * The base config must pass validateExperiment before any parameter is tried on it;
 * otherwise its own mistake would be blamed on the first parameter.
 */
function validated(loaded: LoadedExperimentConfig, source: string): LoadedExperimentConfig {
  validateExperiment(loaded, source);
  return loaded;
}

/**
 * Applies every parameter's candidates (each listed value, or both ends of a range) on
 * top of a sample point (every other parameter at its first value or min) and checks the
 * result as a trial would be checked: the config resolves, the model params validate,
 * and the trainer reports the metric in every such variant.
 */
function parameterProblems(baseRaw: Record<string, unknown>, parameters: SearchSpace, metric: string, source: string): ConfigProblem[] {
  const paths = Object.keys(parameters);
  const sample = Object.fromEntries(paths.map((path) => [path, candidates(parameters[path])[0]]));
  const problems: ConfigProblem[] = [];
  let lacking: ExperimentConfig | null = null;
  for (const path of paths) {
    for (const candidate of candidates(parameters[path])) {
      const overrides = { ...sample, [path]: candidate };
      const outcome = resolveVariant(baseRaw, overrides, source);
      if ('problem' in outcome) {
        const blamed = paths.find((other) => outcome.problem.key === other || outcome.problem.key.startsWith(`${other}.`)) ?? path;
        const detail = outcome.problem.key === blamed ? outcome.problem.message : `${outcome.problem.key}: ${outcome.problem.message}`;
        // The culprit may be another parameter, at its sample value, rather than the one varied.
        const value = blamed === path ? candidate : sample[blamed];
        problems.push({ key: `parameters.${blamed}`, message: `${blamed} = ${JSON.stringify(value)} makes the config invalid: ${detail}` });
        break;
      }
      if (!metricsOfRun(outcome.config).includes(metric)) lacking = outcome.config;
    }
  }
  if (problems.length > 0) return dedupe(problems);
  if (lacking === null) return [];
  const reported = metricsOfRun(lacking);
  const listed =
    reported.length === 0
      ? `trainer "${lacking.trainer.name}" lists no metrics (shared/ml/training/trainer-metrics.ts)`
      : `trainer "${lacking.trainer.name}" reports ${reported.join(', ')}`;
  return [{ key: 'metric.name', message: `"${metric}" is not reported every epoch by every trial; ${listed}` }];
}

function candidates(spec: ParameterSpec): unknown[] {
  return isCategorical(spec) ? [...spec.values] : [spec.min, spec.max];
}

function resolveVariant(
  baseRaw: Record<string, unknown>,
  overrides: Record<string, unknown>,
  source: string,
): { config: ExperimentConfig } | { problem: ConfigProblem } {
  try {
    const config = resolveExperimentConfig(applyOverrides(baseRaw, overrides, source), source);
    validateExperiment({ config }, source);
    return { config };
  } catch (error) {
    if (error instanceof ConfigError) return { problem: error.problems[0] };
    if (error instanceof Error) return { problem: { key: 'model.name', message: error.message } };
    throw error;
  }
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    if (seen.has(problem.key)) return false;
    seen.add(problem.key);
    return true;
  });
}
