import type { NextFunction, Request, Response } from 'express';
import type { ConfigError } from '../../shared/config/config-error.ts';
import { IdempotencyKeyBusyError } from '../../shared/queue/idempotency-keys.ts';
import { isRedisUnavailable } from '../../shared/queue/redis-unavailable.ts';

/** An error with the HTTP status and the JSON body a client should get. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A config that cannot be used: 400, the message naming source, line, column and key of every problem. */
export function configHttpError(error: ConfigError): HttpError {
  return new HttpError(400, error.message, {
    key: error.key,
    line: error.line ?? null,
    column: error.column ?? null,
    problems: error.problems,
  });
}

/**
 * The last middleware: every error becomes JSON. Client mistakes keep their message;
 * anything unexpected is logged and answered with a message that leaks no stack.
 */
export function errorHandler(log: (message: string, meta: Record<string, unknown>) => void) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    if (error instanceof HttpError) {
      response.status(error.status).json({ error: error.message, ...error.details });
      return;
    }
    if (error instanceof IdempotencyKeyBusyError) {
      response.status(409).json({ error: error.message, field: 'Idempotency-Key' });
      return;
    }
    const status = httpStatusOf(error);
    if (status !== null && status >= 400 && status < 500) {
      response.status(status).json(clientErrorOf(error, status, request));
      return;
    }
    if (isRedisUnavailable(error)) {
      log('request refused: Redis unavailable', { error: error instanceof Error ? error.message : String(error) });
      response.status(503).json({ error: 'the queue (Redis) is unavailable; retry shortly' });
      return;
    }
    log('request failed', { error: error instanceof Error ? error.stack : String(error) });
    response.status(500).json({ error: 'internal error; the server log has the details' });
  };
}

/** body-parser and friends mark their errors with status/statusCode and a type. */
function httpStatusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const candidate = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' ? candidate : null;
}

/** The client errors of body-parser and the router, worded like the API's own: the field first. */
function clientErrorOf(error: unknown, status: number, request: Request): { error: string; field?: string } {
  const { type, errno } = error as { type?: unknown; errno?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  const encoding = request.get('Content-Encoding');
  // zlib's errors (gzip, deflate, br) carry an errno and no body-parser type.
  if (type === undefined && typeof errno === 'number' && encoding !== undefined) {
    return { error: `Content-Encoding: the body is not valid ${JSON.stringify(encoding)} data (${message})`, field: 'Content-Encoding' };
  }
  if (type === 'entity.too.large') return { error: 'body: larger than the 1 MiB limit', field: 'body' };
  if (type === 'entity.parse.failed') {
    // JSON in another UTF is decoded as the header says; wrong bytes for it read as noise.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.get('Content-Type') ?? '')?.[1];
    const decoded = charset !== undefined && !/^utf-?8$/i.test(charset) ? ` (decoded as ${charset}, the charset of the Content-Type)` : '';
    return { error: `body: not valid JSON${decoded}: ${message}`, field: 'body' };
  }
  if (type === 'charset.unsupported') return { error: `Content-Type: the body must be UTF-8 JSON (${message})`, field: 'Content-Type' };
  if (type === 'encoding.unsupported') return { error: `Content-Encoding: ${message}; send identity, gzip, deflate or br`, field: 'Content-Encoding' };
  if (typeof type === 'string' && (type.startsWith('request.') || type.startsWith('stream.'))) return { error: `body: ${message}`, field: 'body' };
  // The router could not percent-decode a path parameter (`/runs/%zz`).
  if (error instanceof URIError) return { error: `path: ${message}`, field: 'path' };
  return { error: status === 404 ? 'not found' : message.length > 0 ? message : 'bad request' };
}

