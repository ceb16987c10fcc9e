import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../../config/config-error.ts';
import { formatKeyPath } from '../../config/key-line-map.ts';

/**
 * Parses `trainer.params.loss.params` with a loss's schema, or throws a ConfigError with
 * one line per bad key (`trainer.params.loss.params.gamma: ...`).
 */
export function parseLossParams<S extends z.ZodType>(lossName: string, schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue): ConfigProblem[] => {
    const at = (path: readonly PropertyKey[]) => formatKeyPath(['trainer', 'params', 'loss', 'params', ...path]);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ key: at([...issue.path, key]), message: `unknown parameter of loss ${lossName}` }));
    }
    return [{ key: at(issue.path), message: issue.message }];
  });
  throw new ConfigError('experiment config', problems);
}
