import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { findKeyPosition, formatKeyPath, type KeyLineMap } from './key-line-map.ts';

/**
 * Validates a parsed config with a zod schema. Every problem zod finds becomes one line
 * of a ConfigError naming the source, the line where the key is written (or its nearest
 * written parent, for a missing key) and the dotted key path, in YAML words
 * ("a mapping", "a list") rather than JavaScript ones.
 */
export function validateWithSchema<Schema extends z.ZodType>(
  schema: Schema,
  raw: unknown,
  source: string,
  lines?: KeyLineMap,
): z.output<Schema> {
  const result = schema.safeParse(raw, { error: describeIssue });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue): ConfigProblem => {
    const key = formatKeyPath(issue.path);
    return { key, message: issue.message, ...findKeyPosition(lines, key) };
  });
  throw new ConfigError(source, problems);
}

// Schema-level messages take precedence over this map; it only words zod's generic issues.
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `missing; expected ${typeNoun(issue.expected)}`
        : `expected ${typeNoun(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'too_small':
      return boundMessage(issue.origin, issue.exact ? 'exactly' : issue.inclusive ? 'at least' : 'greater than', issue.minimum, issue.input);
    case 'too_big':
      return boundMessage(issue.origin, issue.exact ? 'exactly' : issue.inclusive ? 'at most' : 'less than', issue.maximum, issue.input);
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
}

function boundMessage(origin: string, relation: string, bound: number | bigint, input: unknown): string {
  if (origin === 'array') {
    const count = Array.isArray(input) ? `, got ${input.length}` : '';
    return `expected ${relation} ${bound} item${bound === 1 ? '' : 's'}${count}`;
  }
  if (origin === 'string' && relation === 'at least' && bound === 1) return 'must not be empty';
  if (origin === 'string') return `expected ${relation} ${bound} characters`;
  return `must be ${relation} ${bound}, got ${describeValue(input)}`;
}

function typeNoun(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'string':
    case 'number':
      return `a ${expected}`;
    default:
      return expected;
  }
}

/** A value as a YAML reader would name it. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
