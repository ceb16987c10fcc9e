import { ConfigError, type ConfigProblem } from './config-error.ts';
import { parseYaml } from './parse-yaml.ts';
import { describeValue } from './validate-with-schema.ts';

// Keys that would reach Object.prototype through plain-object assignment.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Applies dotted-path overrides (`{"trainer.params.nr_epochs": 3}`) to a raw config and
 * returns a deep copy; `raw` is not modified. Every segment but the last must name an
 * existing mapping (a key written empty, like the official `params:`, counts as an
 * empty mapping), so a typo in the middle of a path is reported instead of silently
 * creating a new branch. The last segment may be new. Lists are replaced whole.
 * All bad paths are reported together in one ConfigError from `source`.
 */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: Record<string, unknown>,
  source: string,
): Record<string, unknown> {
  const result = deepCopy(raw) as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  for (const [path, value] of Object.entries(overrides)) {
    const message = setAtPath(result, path, value);
    if (message !== undefined) problems.push({ key: path, message });
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result;
}

/**
 * Parses command-line style assignments, `trainer.params.nr_epochs=3`, into an override
 * record. Values are read as YAML, so `3` is a number, `[8, 16]` a list, `null` null
 * and `abc` a string.
 */
export function parseOverrideAssignments(assignments: readonly string[], source: string): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) {
      throw new ConfigError(source, { key: '', message: `expected key.path=value, got ${JSON.stringify(assignment)}` });
    }
    const path = assignment.slice(0, equals).trim();
    const valueText = assignment.slice(equals + 1);
    overrides[path] = parseYaml(valueText, `${source}: ${path}`).value;
  }
  return overrides;
}

function setAtPath(target: Record<string, unknown>, path: string, value: unknown): string | undefined {
  const segments = path.split('.');
  const bad = segments.find((segment) => segment === '' || FORBIDDEN_SEGMENTS.has(segment));
  if (bad !== undefined) {
    return bad === '' ? 'not a dotted key path (empty segment)' : `"${bad}" is not allowed as a key`;
  }
  let node = target;
  for (let i = 0; i < segments.length - 1; i += 1) {
    const segment = segments[i];
    const here = segments.slice(0, i + 1).join('.');
    if (!Object.hasOwn(node, segment)) {
      const keys = Object.keys(node);
      const where = i === 0 ? 'at the top level' : `under ${segments.slice(0, i).join('.')}`;
      return `no key "${segment}" ${where} (keys there: ${keys.length === 0 ? 'none' : keys.join(', ')})`;
    }
    let child = node[segment];
    if (child === null) {
      child = {};
      node[segment] = child;
    }
    if (!isPlainObject(child)) {
      const kind = Array.isArray(child) ? 'a list (override the whole list)' : describeValue(child);
      return `${here} is ${kind}, not a mapping`;
    }
    node = child;
  }
  node[segments[segments.length - 1]] = deepCopy(value);
  return undefined;
}

/**
 * Copies plain data. Unlike structuredClone it does not keep shared references: YAML
 * aliases make several keys point at one object, and an override of one must not
 * change the others.
 */
function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty keeps a YAML key `__proto__` an own key, as js-yaml does.
      Object.defineProperty(copy, key, { value: deepCopy(item), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
