import type { z } from 'zod';
import { HttpError } from './http-error.ts';

/** Parses a request part with a zod schema; a mismatch is a 400 naming the field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : where;
    return { field, message: issue.message };
  });
  const first = problems[0];
  throw new HttpError(400, `${first.field}: ${first.message}`, { problems });
}
