import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ANONYMOUS } from '../../shared/routing/enqueue-routed-job.ts';
import type { ApiRole, ApiToken } from './api-tokens.ts';
import { sessionTokenOf } from './session-cookie.ts';

/** Methods a read token may use: they change nothing. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * When tokens are configured, every request needs one: `Authorization: Bearer <token>`,
 * HTTP Basic with the token as password so that a browser can open Bull Board, or the
 * web UI's session cookie (set by the login form; HttpOnly and SameSite=Strict, so
 * another site can neither read it nor make the browser send it).
 * A read token may only GET and HEAD. The presented token is compared in constant time
 * (on SHA-256 digests, so lengths leak nothing) against every configured token, never
 * stopping at the first match, and it is never logged or echoed.
 * The role lands in `response.locals` for `apiRoleOf`; without tokens everyone may write.
 */
export function bearerAuth(tokens: readonly ApiToken[]) {
  if (tokens.length === 0) {
    return (_request: Request, response: Response, next: NextFunction) => {
      response.locals.apiRole = 'write' satisfies ApiRole;
      response.locals.apiUser = ANONYMOUS;
      next();
    };
  }
  const tokenOf = tokenMatcher(tokens);
  return (request: Request, response: Response, next: NextFunction): void => {
    const match = tokenOf(presentedToken(request.headers.authorization) ?? sessionTokenOf(request.headers.cookie));
    const role = match?.role ?? null;
    if (role === null) {
      if (request.path.startsWith('/admin')) response.setHeader('WWW-Authenticate', 'Basic realm="aelab"');
      response.status(401).json({ error: 'missing or wrong API token: send "Authorization: Bearer <token>"' });
      return;
    }
    if (role === 'read' && !READ_METHODS.has(request.method)) {
      response.status(403).json({ error: `this is a read-only token: ${request.method} needs a write token` });
      return;
    }
    response.locals.apiRole = role;
    response.locals.apiUser = match?.name ?? ANONYMOUS;
    next();
  };
}

/** Whom `bearerAuth` let in: the token's name, `anonymous` when the API runs open. */
export function apiUserOf(response: Response): string {
  return typeof response.locals.apiUser === 'string' ? response.locals.apiUser : ANONYMOUS;
}

/** The role `bearerAuth` granted this request. */
export function apiRoleOf(response: Response): ApiRole {
  return response.locals.apiRole === 'write' ? 'write' : 'read';
}

/** The role and name of a presented token among `tokens`, or null when it is none of them. */
export function tokenMatcher(tokens: readonly ApiToken[]): (presented: string | null) => { role: ApiRole; name: string } | null {
  const known = tokens.map((token) => ({ role: token.role, name: token.name, digest: digest(token.token) }));
  return (presented) => matchingToken(presented, known);
}

/** Write wins when the same token is configured with both roles; the name is that of the winning entry. */
function matchingToken(presented: string | null, known: ReadonlyArray<{ role: ApiRole; name: string; digest: Buffer }>): { role: ApiRole; name: string } | null {
  if (presented === null) return null;
  const candidate = digest(presented);
  let read = 0;
  let write = 0;
  const names: Record<ApiRole, string> = { read: ANONYMOUS, write: ANONYMOUS };
  for (const token of known) {
    const equal = Number(timingSafeEqual(candidate, token.digest));
    read |= equal & Number(token.role === 'read');
    write |= equal & Number(token.role === 'write');
    if (equal === 1) names[token.role] = token.name;
  }
  if (write === 1) return { role: 'write', name: names.write };
  return read === 1 ? { role: 'read', name: names.read } : null;
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
