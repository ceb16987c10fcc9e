import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * When a token is configured, every request needs it: `Authorization: Bearer <token>`,
 * or HTTP Basic with the token as password so that a browser can open Bull Board.
 * Tokens are compared in constant time (on their SHA-256, so lengths leak nothing) and
 * never logged.
 */
export function bearerAuth(token: string | undefined) {
  if (token === undefined || token.length === 0) {
    return (_request: Request, _response: Response, next: NextFunction) => next();
  }
  const expected = digest(token);
  return (request: Request, response: Response, next: NextFunction): void => {
    const presented = presentedToken(request.headers.authorization);
    if (presented !== null && timingSafeEqual(digest(presented), expected)) return next();
    if (request.path.startsWith('/admin')) response.setHeader('WWW-Authenticate', 'Basic realm="aelab"');
    response.status(401).json({ error: 'missing or wrong API token: send "Authorization: Bearer <AELAB_API_TOKEN>"' });
  };
}

function presentedToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const [scheme, value] = header.split(' ', 2);
  if (value === undefined) return null;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? null : decoded.slice(colon + 1);
  }
  return null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
