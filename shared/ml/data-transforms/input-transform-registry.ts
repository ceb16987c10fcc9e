import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../../config/config-error.ts';
import type { TrainerParams } from '../../config/experiment-config.ts';
import { GaussianNoise, gaussianNoiseParamsSchema } from './gaussian-noise.ts';
import type { InputTransform } from './input-transform.ts';

const KEY = 'trainer.params.transformer';

const TRANSFORMS: Readonly<Record<string, (params: Record<string, unknown>) => InputTransform>> = {
  gaussian_noise: (params) => new GaussianNoise(checked(gaussianNoiseParamsSchema, params)),
};

/** The registry names `buildInputTransform` knows. */
export const INPUT_TRANSFORM_NAMES: readonly string[] = Object.keys(TRANSFORMS);

/**
 * The training-input transform of `trainer.params.transformer` (the config resolver
 * keeps it as `{name, params}` in `params.extra.transformer`), or undefined when the
 * config has none. Throws a ConfigError naming the key for an unknown name or bad params.
 */
export function buildInputTransform(params: TrainerParams): InputTransform | undefined {
  const written = params.extra.transformer;
  if (written === undefined || written === null) return undefined;
  if (!isComponentRef(written)) {
    throw new ConfigError('experiment config', { key: KEY, message: 'expected {name, params} or {module_name, class_name, params}' });
  }
  if (!Object.hasOwn(TRANSFORMS, written.name)) {
    throw new ConfigError('experiment config', {
      key: KEY,
      message: `no input transform "${written.name}" in this version; known: ${INPUT_TRANSFORM_NAMES.join(', ')}`,
    });
  }
  return TRANSFORMS[written.name](written.params);
}

function isComponentRef(value: unknown): value is { name: string; params: Record<string, unknown> } {
  if (typeof value !== 'object' || value === null) return false;
  const { name, params } = value as { name?: unknown; params?: unknown };
  return typeof name === 'string' && typeof params === 'object' && params !== null && !Array.isArray(params);
}

function checked<S extends z.ZodType>(schema: S, params: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ key: `${KEY}.params.${key}`, message: 'unknown parameter' }))
      : [{ key: [`${KEY}.params`, ...issue.path.map(String)].join('.'), message: issue.message }],
  );
  throw new ConfigError('experiment config', problems);
}
