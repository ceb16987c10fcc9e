import type { NextFunction, Request, Response } from 'express';

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

/**
 * The last middleware: every error becomes JSON. Client mistakes keep their message;
 * anything unexpected is logged and answered with a message that leaks no stack.
 */
export function errorHandler(log: (message: string, meta: Record<string, unknown>) => void) {
  return (error: unknown, _request: Request, response: Response, _next: NextFunction): void => {
    if (error instanceof HttpError) {
      response.status(error.status).json({ error: error.message, ...error.details });
      return;
    }
    const status = httpStatusOf(error);
    if (status !== null && status < 500) {
      response.status(status).json({ error: clientMessageOf(error, status) });
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

function clientMessageOf(error: unknown, status: number): string {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') return 'request body is larger than the 1 MiB limit';
  if (type === 'entity.parse.failed') return `request body is not valid JSON: ${(error as Error).message}`;
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return 'request body must be UTF-8 JSON';
  return status === 404 ? 'not found' : (error as Error).message ?? 'bad request';
}

export function isRedisUnavailable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Stream isn't writeable|ECONNREFUSED|Connection is closed|enableOfflineQueue|ETIMEDOUT|MaxRetriesPerRequest/i.test(message);
}
