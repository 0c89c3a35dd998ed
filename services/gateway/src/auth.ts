import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import { parse as parseCookieHeader } from 'cookie';
import type { ApiTokenScope } from '@woop/contracts';
import { ProblemError, type VerifiedIdentity } from '@woop/service-kit';
import { problem } from './problems';
import type { Upstreams } from './upstreams';

/**
 * Who calls: a browser with the session cookie, or a script with `Authorization: Bearer`
 * (on the API only: the pages take the cookie alone). Identity turns either token into the
 * caller's identity and says what the token is; the gateway never takes one from the client.
 */
export const SESSION_COOKIE = '__Host-woop_session';
/** Readable by the pages' scripts, which echo it in X-CSRF-Token (or a form's `_csrf` field). */
export const CSRF_COOKIE = '__Host-woop_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** What the token is: a session (a person logged in) or an API token, with what it may do. */
export type Credential = { kind: 'session' } | { kind: 'api'; scopes: ApiTokenScope[] };

export interface Caller {
  identity: VerifiedIdentity;
  via: 'cookie' | 'bearer';
  token: string;
  credential: Credential;
}

/**
 * The request's cookies by name (the `cookie` library: the first of two with one name wins, a
 * value that is not URI-encoded is kept as sent).
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseCookieHeader(header ?? ''))) {
    if (value !== undefined) cookies[name] = value;
  }
  return cookies;
}

/**
 * The token a request carries: the bearer token first (scripts), else the session cookie.
 * Pages pass `bearer: false`: there an Authorization header is ignored, so a token copied
 * from a script opens no page (a page with it alone is anonymous).
 */
export function presentedToken(
  req: Request,
  opts: { bearer: boolean } = { bearer: true },
): Pick<Caller, 'via' | 'token'> | undefined {
  const authorization = opts.bearer ? req.header('authorization') : undefined;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S{1,200})$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    return { via: 'bearer', token: match[1] };
  }
  const session = parseCookies(req.header('cookie'))[SESSION_COOKIE];
  return session ? { via: 'cookie', token: session } : undefined;
}

export const unauthenticated = (detail = 'Log in to continue.') => problem('unauthenticated', detail);

/** The identity behind the request's token, from the identity service; 401 when there is none. */
export async function authenticate(
  req: Request,
  res: Response,
  upstreams: Upstreams,
  opts: { bearer: boolean } = { bearer: true },
): Promise<Caller> {
  const presented = presentedToken(req, opts);
  if (!presented) throw unauthenticated();
  try {
    const { body } = await upstreams.json<{ identity: VerifiedIdentity; credential: Credential }>('identity', req, {
      method: 'POST',
      path: '/v1/sessions/resolve',
      json: { token: presented.token },
    });
    return { ...presented, identity: body.identity, credential: body.credential };
  } catch (err) {
    if (err instanceof ProblemError && (err.status === 401 || err.status === 400)) {
      if (presented.via === 'cookie') clearSessionCookies(res);
      throw unauthenticated('Your session has ended; log in again.');
    }
    throw err;
  }
}

/**
 * The CSRF token of a session: an HMAC of the session token, so it needs no storage, every
 * gateway copy computes the same one, and it dies with the session. A page on another site
 * can make the browser send the cookie but can neither read this token nor compute it.
 */
export function csrfTokenFor(sessionToken: string, secret: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionToken}`).digest('base64url');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The scope a method needs of an API token: `read` for GET and HEAD, `write` for the rest. */
export const scopeFor = (method: string): ApiTokenScope => (method === 'GET' || method === 'HEAD' ? 'read' : 'write');

/**
 * An API token may do what its scopes say, no more: 403 `insufficient_scope` with the
 * `WWW-Authenticate` challenge of RFC 6750 (section 3.1) naming the scope it lacks. Sessions
 * have no scope: a person logged in may do what their role allows.
 */
export function checkScope(req: Request, caller: Caller): void {
  if (caller.credential.kind !== 'api') return;
  const needed = scopeFor(req.method);
  if (caller.credential.scopes.includes(needed)) return;
  const detail = `This API token may not ${needed === 'read' ? 'read' : 'make changes'}: it needs the "${needed}" scope.`;
  throw problem('insufficient_scope', detail, undefined, {
    'WWW-Authenticate': `Bearer realm="woop", error="insufficient_scope", error_description="${detail.replace(/"/g, "'")}", scope="${needed}"`,
  });
}

/** API tokens are made from a session: a token never makes another (a stolen one would never end). */
export function requireSession(caller: Caller): void {
  if (caller.credential.kind === 'session') return;
  throw problem('session_required', 'Log in to the portal to do this: an API token cannot.');
}

/** Cookie-authenticated changes must echo the session's CSRF token; bearer calls need not. */
export function checkCsrf(req: Request, caller: Caller, secret: string): void {
  if (caller.via !== 'cookie' || SAFE_METHODS.has(req.method)) return;
  const body = req.body as { _csrf?: unknown } | undefined;
  const given = req.header(CSRF_HEADER) ?? (typeof body?._csrf === 'string' ? body._csrf : '');
  const expected = Buffer.from(csrfTokenFor(caller.token, secret));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw problem(
      'csrf_failed',
      `Send the session's CSRF token in the ${CSRF_HEADER} header (GET /api/v1/auth/csrf-token gives it).`,
    );
  }
}

/**
 * Browsers say where a request comes from: a change sent from another site's page is refused
 * before anything else (login and sign-up have no session to bind a CSRF token to). A script
 * with a bearer token is exempt on the API (`bearer: true`), never on the pages.
 */
export function checkOrigin(req: Request, opts: { bearer: boolean } = { bearer: true }): void {
  if (SAFE_METHODS.has(req.method) || (opts.bearer && req.header('authorization') !== undefined)) return;
  const origin = req.header('origin');
  // Scripts send no Origin; a browser always does on a cross-site POST.
  if (origin === undefined || (origin !== 'null' && sameHost(origin, req.host))) return;
  throw problem('origin_not_allowed', 'Requests from another site are refused.');
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * `__Host-` cookies must be Secure, have Path=/ and no Domain. Browsers accept Secure cookies
 * from http://localhost and http://127.0.0.1 (secure contexts), so they are Secure everywhere.
 */
const cookieOptions = (expires?: Date): CookieOptions => ({
  path: '/',
  secure: true,
  sameSite: 'lax',
  ...(expires ? { expires } : {}),
});

export function setSessionCookies(res: Response, sessionToken: string, expiresAt: string, secret: string): string {
  const expires = new Date(expiresAt);
  const csrfToken = csrfTokenFor(sessionToken, secret);
  res.cookie(SESSION_COOKIE, sessionToken, { ...cookieOptions(expires), httpOnly: true });
  res.cookie(CSRF_COOKIE, csrfToken, cookieOptions(expires));
  return csrfToken;
}

export function clearSessionCookies(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { ...cookieOptions(), httpOnly: true });
  res.clearCookie(CSRF_COOKIE, cookieOptions());
}
