/** The cookie the web UI's login form sets: the API token itself, readable by the server only. */
export const SESSION_COOKIE = 'aelab_session';

/** A login lasts a working week; the token stays valid for as long as it is configured. */
const SESSION_SECONDS = 7 * 24 * 3600;

/** The token in the session cookie of a `Cookie` header, or null when there is none. */
export function sessionTokenOf(cookieHeader: string | undefined): string | null {
  if (cookieHeader === undefined) return null;
  for (const pair of cookieHeader.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/** `Set-Cookie` for a login: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export function sessionCookie(token: string, secure: boolean): string {
  return [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${SESSION_SECONDS}`, ...(secure ? ['Secure'] : [])].join('; ');
}

/** `Set-Cookie` that ends the session. */
export function expiredSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}
