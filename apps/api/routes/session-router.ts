import express, { Router } from 'express';
import { z } from 'zod';
import type { ApiToken } from '../api-tokens.ts';
import { tokenMatcher } from '../bearer-auth.ts';
import { HttpError } from '../http-error.ts';
import { expiredSessionCookie, sessionCookie } from '../session-cookie.ts';
import { jsonBodyOf, parseOr400 } from '../zod-http.ts';

const loginSchema = z.strictObject({ token: z.string().min(1).max(4096) });

/**
 * `/ui/session`: the web UI's login and logout. It sits before the token check (a login
 * has no token yet); a token it does not know is a 401 and sets nothing.
 */
export function sessionRouter(tokens: readonly ApiToken[]): Router {
  const router = Router();
  const tokenOf = tokenMatcher(tokens);
  router.post('/ui/session', express.json({ limit: '8kb' }), (request, response) => {
    const { token } = parseOr400(loginSchema, jsonBodyOf(request), 'body');
    if (tokens.length === 0) {
      response.json({ role: 'write', authRequired: false });
      return;
    }
    const role = tokenOf(token)?.role ?? null;
    if (role === null) throw new HttpError(401, 'body.token: not a token this API knows', { field: 'body.token' });
    response.setHeader('Set-Cookie', sessionCookie(token, request.secure)).json({ role, authRequired: true });
  });
  router.delete('/ui/session', (request, response) => {
    response.setHeader('Set-Cookie', expiredSessionCookie(request.secure)).status(204).end();
  });
  return router;
}
