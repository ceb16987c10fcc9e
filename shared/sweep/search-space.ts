import { ConfigError, type ConfigProblem } from '../config/config-error.ts';

/** A parameter drawn from a fixed list; a value may be anything YAML holds (e.g. a channel list). */
export interface CategoricalParameter {
  values: readonly unknown[];
}

/**
 * `uniform`: a real in [min, max]. `log_uniform`: a real in [min, max] whose logarithm is
 * uniform (min > 0), for learning rates and weight decays. `int_uniform`: an integer in
 * [min, max], both ends included.
 */
export const DISTRIBUTIONS = ['uniform', 'log_uniform', 'int_uniform'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

export interface NumericParameter {
  distribution: Distribution;
  min: number;
  max: number;
  /**
   * Quantisation step: a drawn value is snapped to the nearest `min + k·q` inside
   * [min, max] (an integer for `int_uniform`). Default: none (1 for `int_uniform`).
   */
  q?: number;
}

export type ParameterSpec = CategoricalParameter | NumericParameter;

/** Parameters by the dotted config path they override, e.g. `trainer.params.optimizer_params.lr`. */
export type SearchSpace = Record<string, ParameterSpec>;

export function isCategorical(spec: ParameterSpec): spec is CategoricalParameter {
  return 'values' in spec;
}

/**
 * Every problem of a search space, one per parameter field, keyed `<keyPrefix><path>` or
 * `<keyPrefix><path>.<field>` so a 400 names what to fix. Empty when the space is valid.
 */
export function searchSpaceProblems(space: unknown, keyPrefix = ''): ConfigProblem[] {
  if (!isRecord(space)) return [{ key: keyPrefix.replace(/\.$/, ''), message: `expected a mapping of config paths to parameters, got ${describe(space)}` }];
  const paths = Object.keys(space);
  if (paths.length === 0) return [{ key: keyPrefix.replace(/\.$/, ''), message: 'expected at least one parameter' }];
  const problems = paths.flatMap((path) => parameterProblems(space[path], `${keyPrefix}${path}`));
  const listed = paths.reduce((sum, path) => sum + valuesListed(space[path]), 0);
  if (problems.length === 0 && listed > MAX_LISTED_VALUES) {
    problems.push({ key: keyPrefix.replace(/\.$/, ''), message: `the parameters list ${listed} values in all, more than ${MAX_LISTED_VALUES}` });
  }
  return problems;
}

/**
 * The most values all categorical parameters may list together. A sweep is checked at
 * submission by resolving the config once per listed value; a list of hundreds of
 * thousands would hold up the API for many seconds.
 */
export const MAX_LISTED_VALUES = 10_000;

function valuesListed(spec: unknown): number {
  return isRecord(spec) && Array.isArray(spec.values) ? spec.values.length : 0;
}

/** The space itself, typed, or a ConfigError naming every bad parameter. */
export function parseSearchSpace(space: unknown, source: string, keyPrefix = ''): SearchSpace {
  const problems = searchSpaceProblems(space, keyPrefix);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return space as SearchSpace;
}

/**
 * A string that is equal for equal parameter values (object keys sorted), so a sampler can
 * recognise a point it already proposed whatever the key order of the stored copy.
 */
export function canonicalKey(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function parameterProblems(spec: unknown, key: string): ConfigProblem[] {
  if (key.trim() === '' || key.split('.').some((part) => part === '')) {
    return [{ key, message: 'a parameter name must be a dotted config path without empty parts' }];
  }
  if (!isRecord(spec)) return [{ key, message: `expected { values: [...] } or { distribution, min, max }, got ${describe(spec)}` }];
  if ('values' in spec && 'distribution' in spec) {
    return [{ key, message: 'give either `values` or `distribution`, not both' }];
  }
  if ('values' in spec) {
    const unknown = Object.keys(spec).filter((field) => field !== 'values');
    if (unknown.length > 0) return [{ key: `${key}.${unknown[0]}`, message: 'unknown field; a categorical parameter has only `values`' }];
    if (!Array.isArray(spec.values)) return [{ key: `${key}.values`, message: `expected a list, got ${describe(spec.values)}` }];
    if (spec.values.length === 0) return [{ key: `${key}.values`, message: 'expected at least one value' }];
    const seen = new Set<string>();
    for (const value of spec.values) {
      const id = canonicalKey(value);
      if (seen.has(id)) return [{ key: `${key}.values`, message: `value ${id} is listed twice` }];
      seen.add(id);
    }
    return [];
  }
  if (!('distribution' in spec)) return [{ key, message: 'expected `values: [...]` or `distribution` with `min` and `max`' }];
  return numericProblems(spec, key);
}

function numericProblems(spec: Record<string, unknown>, key: string): ConfigProblem[] {
  const unknown = Object.keys(spec).filter((field) => !['distribution', 'min', 'max', 'q'].includes(field));
  if (unknown.length > 0) return [{ key: `${key}.${unknown[0]}`, message: 'unknown field; expected distribution, min, max and optionally q' }];
  const { distribution, min, max, q } = spec;
  if (!(DISTRIBUTIONS as readonly unknown[]).includes(distribution)) {
    return [{ key: `${key}.distribution`, message: `unknown distribution ${JSON.stringify(distribution)}; expected one of ${DISTRIBUTIONS.join(', ')}` }];
  }
  const problems: ConfigProblem[] = [];
  for (const [field, value] of [['min', min], ['max', max]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) problems.push({ key: `${key}.${field}`, message: `expected a finite number, got ${describe(value)}` });
    else if (distribution === 'int_uniform' && !Number.isInteger(value)) problems.push({ key: `${key}.${field}`, message: `expected an integer for int_uniform, got ${value}` });
  }
  if (problems.length > 0) return problems;
  const low = min as number;
  const high = max as number;
  if (low >= high) problems.push({ key: `${key}.min`, message: `min (${low}) must be less than max (${high})` });
  if (distribution === 'log_uniform' && low <= 0) problems.push({ key: `${key}.min`, message: `log_uniform needs min > 0, got ${low}` });
  if (q !== undefined) {
    if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0) problems.push({ key: `${key}.q`, message: `expected a positive number, got ${describe(q)}` });
    else if (distribution === 'int_uniform' && !Number.isInteger(q)) problems.push({ key: `${key}.q`, message: `expected an integer step for int_uniform, got ${q}` });
    else if (q > high - low) problems.push({ key: `${key}.q`, message: `step ${q} is larger than the range ${low}..${high}` });
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return JSON.stringify(value) ?? String(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((field) => [field, sortKeys(value[field])]),
    );
  }
  return value;
}

/**
 * The valid value of a numeric parameter nearest to `value`: clamped to [min, max],
 * snapped to `min + k·q` when quantised, an integer for `int_uniform`.
 */
export function snapToParameter(spec: NumericParameter, value: number): number {
  const step = spec.q ?? (spec.distribution === 'int_uniform' ? 1 : undefined);
  let snapped = Math.min(spec.max, Math.max(spec.min, value));
  if (step !== undefined) {
    const steps = Math.floor((spec.max - spec.min) / step + 1e-9);
    const k = Math.min(steps, Math.max(0, Math.round((snapped - spec.min) / step)));
    // toPrecision drops the binary noise of min + k·q (0.1 + 2·0.1 would print 0.30000000000000004).
    snapped = Number((spec.min + k * step).toPrecision(12));
  }
  return snapped;
}
