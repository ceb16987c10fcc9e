import type { Request } from 'express';

/** The `:id` of a route declared with one (express leaves the type of a param open). */
export function idParam(request: Request): string {
  return request.params.id as string;
}
