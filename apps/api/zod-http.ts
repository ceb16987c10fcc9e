import type { Request } from 'express';
import type { z } from 'zod';
import { HttpError } from './http-error.ts';

/**
 * How deeply a JSON body may nest. The YAML parser stops at 100 levels; a deeper JSON
 * body would overflow the stack of the recursive config code (copying overrides,
 * writing config.yaml) and end as a 500.
 */
export const MAX_BODY_DEPTH = 100;

/** Long keys and values are cut in messages so that an answer stays readable. */
const SHOWN_CHARACTERS = 80;

/** Parses a request part with a zod schema; a mismatch is a 400 naming the field, e.g. `query.limit`. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    const field = fieldName(where, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = issue.path.length === 0 ? knownKeys(schema) : [];
      const expected = known.length > 0 ? `; expected ${known.join(', ')}` : '';
      return issue.keys.map((key) => ({ field: fieldName(where, [...issue.path, key]), message: `unknown field${expected}` }));
    }
    if (issue.code === 'invalid_key') return [{ field, message: `invalid key: ${issue.issues.map((inner) => inner.message).join('; ')}` }];
    return [{ field, message: issue.message }];
  });
  const first = problems[0];
  throw new HttpError(400, `${first.field}: ${first.message}`, { field: first.field, problems });
}

/**
 * The parsed JSON body of a POST, `{}` when there is none. A body in another format is
 * a 415 naming Content-Type (express.json left it unread); a body nested deeper than
 * MAX_BODY_DEPTH is a 400 naming where.
 */
export function jsonBodyOf(request: Request): unknown {
  if (request.body === undefined) {
    if (hasContent(request)) {
      const type = request.get('Content-Type');
      throw new HttpError(415, `Content-Type: expected application/json, got ${type === undefined ? 'none' : JSON.stringify(shorten(type))}`, { field: 'Content-Type' });
    }
    return {};
  }
  const deep = tooDeepAt(request.body);
  if (deep !== null) {
    const field = fieldName('body', deep.path);
    throw new HttpError(400, `${field}${deep.path.length < deep.depth ? '...' : ''}: nested deeper than ${MAX_BODY_DEPTH} levels`, { field });
  }
  return request.body;
}

function hasContent(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

// Iterative, so that the check itself cannot overflow the stack it protects. The path
// it reports keeps the first few keys, enough to find the place.
function tooDeepAt(body: unknown): { path: PropertyKey[]; depth: number } | null {
  const pending: { value: unknown; path: PropertyKey[]; depth: number }[] = [{ value: body, path: [], depth: 0 }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth >= MAX_BODY_DEPTH) return next;
    const entries: [PropertyKey, unknown][] = Array.isArray(next.value) ? next.value.map((item, index) => [index, item]) : Object.entries(next.value);
    for (const [key, item] of entries) {
      pending.push({ value: item, path: next.path.length < 8 ? [...next.path, key] : next.path, depth: next.depth + 1 });
    }
  }
  return null;
}

/**
 * `body.config`, `body.tasks[0]`, `query.limit`, `body.overrides["model.name"]`: the way
 * every message of the API names a field. A key that is not a plain word is quoted, so
 * that spaces, dots and empty keys stay visible.
 */
function fieldName(where: string, path: readonly PropertyKey[]): string {
  let name = where;
  for (const segment of path) {
    if (typeof segment === 'number') name += `[${segment}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(String(segment))) name += `.${shorten(String(segment))}`;
    else name += `[${JSON.stringify(shorten(String(segment)))}]`;
  }
  return name;
}

function shorten(text: string): string {
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS - 3)}...` : text;
}

function knownKeys(schema: z.ZodType): string[] {
  const shape: unknown = (schema as { shape?: unknown }).shape;
  return shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
}
