import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseYaml } from '../../../../shared/config/parse-yaml.ts';

/** Keys that reach Object.prototype when code assigns through them carelessly. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** A config file of the repository as data, the way a client sends `config` as JSON. */
export function configObject(file: string): Record<string, unknown> {
  return parseYaml(readFileSync(file, 'utf8'), file).value as Record<string, unknown>;
}

/** Sets an own property, also for `__proto__` (plain assignment would change the prototype instead). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `{"__proto__": {"polluted": true}}` and friends, as JSON.parse builds them: own keys. */
export const pollutingObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom('polluted', 'isAdmin', 'prototype', 'toString'))
  .map(([key, inner]) => JSON.parse(`{"${key}": {"${inner}": true, "prototype": {"polluted": true}}}`) as Record<string, unknown>);

/** Nested lists or mappings `depth` levels deep. */
export function nested(depth: number, asList: boolean): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = asList ? [value] : { a: value };
  return value;
}

/** Values that a field of the wrong type, size or meaning might receive. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0, 0.5, 1e308, -1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e-320, 4294967296),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '0x10', '', ' ', '\u0000', 'null', 'true', '3', '[8, 16]', '{}', '__proto__', '../../etc/passwd', 'x'.repeat(5000)),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.array(fc.oneof(fc.integer({ min: -5, max: 64 }), fc.string({ maxLength: 5 })), { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)), { maxKeys: 4 }),
  // Deep, yet inside the API's 100 levels wherever a config puts it.
  fc.integer({ min: 1, max: 90 }).chain((depth) => fc.boolean().map((asList) => nested(depth, asList))),
  pollutingObject,
);

/** A key a client might add: a prototype key, a near-miss of a real one, or noise. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'toString', 'hasOwnProperty', 'valueOf', '', ' ', '.', 'a.b', '[0]', 'perceptual_weights', 'nmae', 'params', 'name'),
  fc.string({ minLength: 1, maxLength: 20 }),
);

/** Every path to a value in `value`, mappings and lists alike (lists by index). */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
}

export type Mutation =
  | { kind: 'drop'; path: (string | number)[] }
  | { kind: 'set'; path: (string | number)[]; value: unknown }
  | { kind: 'add'; path: (string | number)[]; key: string; value: unknown };

/** One to three mutations of a valid document: a key dropped, a value replaced, a key added. */
export function mutations(valid: unknown): fc.Arbitrary<Mutation[]> {
  const paths = pathsOf(valid).filter((path) => path.length > 0);
  const containers = pathsOf(valid).filter((path) => {
    const at = valueAt(valid, path);
    return at !== null && typeof at === 'object' && !Array.isArray(at);
  });
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom(...paths).map((path): Mutation => ({ kind: 'drop', path })),
    fc.tuple(fc.constantFrom(...paths), hostileValue).map(([path, value]): Mutation => ({ kind: 'set', path, value })),
    fc.tuple(fc.constantFrom(...containers), hostileKey, hostileValue).map(([path, key, value]): Mutation => ({ kind: 'add', path, key, value })),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/** A deep copy of `valid` with the mutations applied (own keys only, so `__proto__` stays data). */
export function applyMutations(valid: unknown, changes: readonly Mutation[]): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
  for (const change of changes) {
    const path = change.kind === 'add' ? change.path : change.path.slice(0, -1);
    const parent = valueAt(copy, path);
    if (parent === null || typeof parent !== 'object') continue;
    const container = parent as Record<string | number, unknown>;
    if (change.kind === 'add') setOwn(container as Record<string, unknown>, change.key, change.value);
    else {
      const key = change.path[change.path.length - 1];
      if (change.kind === 'drop') {
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key];
      } else if (Array.isArray(container)) container[key as number] = change.value;
      else setOwn(container as Record<string, unknown>, String(key), change.value);
    }
  }
  return copy;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let at = value;
  for (const segment of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, segment)) return undefined;
    at = (at as Record<string | number, unknown>)[segment];
  }
  return at;
}

/** Characters that mean something to YAML, and a few that mean trouble anywhere. */
const YAML_NOISE = [':', '-', '[', ']', '{', '}', '"', "'", '&', '*', '!', '|', '>', '#', '%', '@', '`', '\t', '\n', ' ', ',', '?', '<<', '\u0000', '\uFEFF', '\r', '!!python/tuple', '*a', '&a', '---', '...'];

/** Edits of YAML text: a character inserted, a span deleted, a line repeated or re-indented. */
export function yamlEdits(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n').length;
  const edit = fc.oneof(
    fc.tuple(fc.nat(text.length), fc.oneof(fc.constantFrom(...YAML_NOISE), fc.string({ maxLength: 3 }))).map(
      ([at, insert]) => (source: string) => source.slice(0, at) + insert + source.slice(at),
    ),
    fc.tuple(fc.nat(text.length), fc.integer({ min: 1, max: 12 })).map(([at, length]) => (source: string) => source.slice(0, at) + source.slice(at + length)),
    fc.nat(lines - 1).map((line) => (source: string) => {
      const all = source.split('\n');
      all.splice(line, 0, all[line] ?? '');
      return all.join('\n');
    }),
    fc.tuple(fc.nat(lines - 1), fc.integer({ min: -3, max: 3 })).map(([line, shift]) => (source: string) => {
      const all = source.split('\n');
      const current = all[line] ?? '';
      all[line] = shift >= 0 ? ' '.repeat(shift) + current : current.slice(Math.min(-shift, current.length - current.trimStart().length));
      return all.join('\n');
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce((source, apply) => apply(source), text));
}
