import type { z } from 'zod';

/** One wrong model parameter: its config key (e.g. `model.params.channels[2]`) and what is wrong. */
export interface ModelParamsProblem {
  key: string;
  message: string;
}

/**
 * Model parameters that cannot be built. The message has one line per problem,
 * `model.params.<key>: <what is wrong>`; `problems` lets the config loader point at lines.
 */
export class ModelParamsError extends Error {
  override readonly name = 'ModelParamsError';
  readonly problems: readonly ModelParamsProblem[];

  constructor(modelName: string, problems: readonly ModelParamsProblem[]) {
    super(`invalid parameters for model ${modelName}:\n${problems.map((p) => `${p.key}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Formats a parameter path as config messages do: `model.params.channels[2]`. */
export function paramsKey(path: readonly PropertyKey[]): string {
  let key = 'model.params';
  for (const segment of path) key += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  return key;
}

/** Parses model params with `schema`, or throws a ModelParamsError naming every bad key. */
export function parseModelParams<S extends z.ZodType>(modelName: string, schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue): ModelParamsProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = issue.path.length === 0 ? knownKeys(schema) : [];
      const hint = known.length > 0 ? ` (known: ${known.join(', ')})` : '';
      return issue.keys.map((key) => ({ key: paramsKey([...issue.path, key]), message: `unknown parameter${hint}` }));
    }
    return [{ key: paramsKey(issue.path), message: issue.message }];
  });
  throw new ModelParamsError(modelName, problems);
}

function knownKeys(schema: z.ZodType): string[] {
  const shape: unknown = (schema as { shape?: unknown }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/**
 * One problem of a shape plan (params that parse but cannot be built at the input size),
 * found before any weight is made, reported like a parameter problem.
 */
export function shapePlanError(modelName: string, key: string, message: string): ModelParamsError {
  return new ModelParamsError(modelName, [{ key, message }]);
}
