import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { consume, ProblemError, requestIdOf, type VerifiedIdentity } from '@woop/service-kit';
import { authenticate, checkCsrf, checkOrigin, csrfTokenFor, parseCookies, presentedToken, type Caller } from '../auth';
import type { GatewayLimits } from '../limits';
import type { UpstreamCall, UpstreamName, Upstreams } from '../upstreams';
import { hasText, localeOf, translator, type Locale } from './i18n';
import type { PageRenderer } from './render';

export interface PagesDeps {
  upstreams: Upstreams;
  limits: GatewayLimits;
  csrfSecret: string;
  renderer: PageRenderer;
  /** The Temporal Web UI, linked from the agent's view of a request. */
  temporalUiUrl: string;
  temporalNamespace: string;
  /** The Zipkin UI, linked from the agent's view of a request to its traces (optional: tests leave it out). */
  zipkinUiUrl?: string;
}

/** What a page handler gets: the request, who calls (when logged in), the language and the tools. */
export interface PageContext {
  req: Request;
  res: Response;
  caller?: Caller;
  me?: VerifiedIdentity;
  locale: Locale;
  t: TFunction;
  csrfToken?: string;
  deps: PagesDeps;
  /** Renders a page inside the layout, with the common model (who, language, CSRF token, menu). */
  render(name: string, model?: Record<string, unknown>, status?: number): void;
  /** A JSON call to a service as the caller. */
  call<T>(name: UpstreamName, call: Omit<UpstreamCall, 'identity'>): Promise<T>;
  /** Redirects after a POST (303: the browser follows with a GET). */
  redirect(to: string): void;
  /** A sentence for the next page this browser shows ("Votre demande SUPPORT-12 a été créée."). */
  flash(key: string, params?: Record<string, string>): void;
}

export type PageHandler = (ctx: PageContext) => Promise<void>;

const SAFE = new Set(['GET', 'HEAD']);
/**
 * Messages for the page after a redirect: keys of the catalogue and their values, never HTML.
 * `__Host-` (Secure, Path=/, no Domain: no other host, a sibling subdomain say, can set it; the
 * session cookie's reasoning: browsers take Secure cookies from http://localhost too) and
 * signed by the gateway: a cookie it did not write is ignored, so nobody puts words on the page.
 */
export const FLASH_COOKIE = '__Host-woop_flash';
const flashSchema = z
  .array(z.object({ key: z.string().max(100), params: z.record(z.string(), z.string().max(2_000)) }))
  .max(5);

/** `<payload>.<HMAC of it>`, the payload the messages' JSON in base64url. */
export function signFlash(value: unknown, secret: string): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** The messages of a cookie this gateway signed; undefined for anything else. */
export function verifyFlash(cookie: string, secret: string): unknown {
  const dot = cookie.lastIndexOf('.');
  if (dot < 1) return undefined;
  const payload = cookie.slice(0, dot);
  const expected = Buffer.from(createHmac('sha256', secret).update(payload).digest('base64url'));
  const given = Buffer.from(cookie.slice(dot + 1));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const flashCookieOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'lax' } as const;

/** A path of this portal to come back to after login; anything else (another host, `//x`) goes home. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next.length > 500 ? '/' : next;
}

/** The page a form was posted from, to come back to after logging in again (this portal's only). */
function refererPath(req: Request): string {
  try {
    const referer = new URL(req.get('referer') ?? '');
    return referer.host === req.host ? safeNext(referer.pathname + referer.search) : '/';
  } catch {
    return '/';
  }
}

export const loginUrl = (next: string) => (next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);

/** The menu: customers see the portal and their requests; agents their console; admins administration. */
function menuOf(me: VerifiedIdentity | undefined) {
  if (!me) return undefined;
  const staff = me.role === 'agent' || me.role === 'admin';
  // Reports: admins and team leads (members of `<team>-leads`), as the tickets service allows.
  const reports = me.role === 'admin' || (me.role === 'agent' && me.teams.some((t) => /.-leads$/.test(t)));
  // Canned answers: managed by the same people (each lead their team's).
  return { staff, admin: me.role === 'admin', reports, canned: reports };
}

/**
 * Page routes: each request passes the per-IP limit, is authenticated (a page behind login sends
 * a visitor to the login page and back), checks the form's CSRF token on a POST (or, before
 * login, the Origin), then runs its handler. A problem from a service becomes a page in the
 * user's language, never a JSON error: 401 → login, 404 → not found, 429/503 → try again.
 */
export function pageKit(deps: PagesDeps) {
  const { upstreams, limits, csrfSecret, renderer } = deps;
  // Its own key, derived like the CSRF tokens': a flash signature is no signature of anything else.
  const flashSecret = createHmac('sha256', csrfSecret).update('woop-gateway-flash').digest('base64url');

  const context = (req: Request, res: Response, caller: Caller | undefined): PageContext => {
    const me = caller?.identity;
    const locale = localeOf(req, me?.locale);
    const t = translator(locale);
    const csrfToken = caller?.via === 'cookie' ? csrfTokenFor(caller.token, csrfSecret) : undefined;
    const flashes: Array<{ key: string; params: Record<string, string> }> = [];
    const readFlashes = (): string[] => {
      const raw = parseCookies(req.header('cookie'))[FLASH_COOKIE];
      if (raw === undefined) return [];
      res.clearCookie(FLASH_COOKIE, flashCookieOptions);
      const parsed = flashSchema.safeParse(verifyFlash(raw, flashSecret));
      return parsed.success ? parsed.data.filter((f) => hasText(locale, f.key)).map((f) => t(f.key, f.params)) : [];
    };
    return {
      req,
      res,
      caller,
      me,
      locale,
      t,
      csrfToken,
      deps,
      render(name, model = {}, status = 200) {
        if (me) res.setHeader('Cache-Control', 'no-store');
        res
          .status(status)
          .type('html')
          .send(
            renderer.render(name, {
              notices: readFlashes(),
              ...model,
              locale,
              otherLocale: locale === 'fr' ? 'en' : 'fr',
              me,
              menu: menuOf(me),
              csrfToken,
              path: req.originalUrl,
              requestId: requestIdOf(req),
            }),
          );
      },
      async call<T>(name: UpstreamName, call: Omit<UpstreamCall, 'identity'>) {
        return (await upstreams.json<T>(name, req, { ...call, identity: me })).body;
      },
      redirect(to) {
        if (flashes.length > 0) {
          res.cookie(FLASH_COOKIE, signFlash(flashes, flashSecret), { ...flashCookieOptions, maxAge: 60_000 });
        }
        res.redirect(303, to);
      },
      flash(key, params = {}) {
        flashes.push({ key, params });
      },
    };
  };

  /** The problem's sentence for a person, in the page's language (the code's own text when we have one). */
  const sentence = (ctx: PageContext, err: ProblemError): string =>
    hasText(ctx.locale, `error.${err.code}`) ? ctx.t(`error.${err.code}`) : (err.detail ?? err.title);

  function renderFailure(ctx: PageContext, err: unknown): void {
    const { req, res } = ctx;
    if (!(err instanceof ProblemError)) {
      req.log.error({ err }, 'page failed');
      ctx.render('error', { title: ctx.t('error.title'), message: ctx.t('error.internal_error') }, 500);
      return;
    }
    if (err.status === 401) {
      res.redirect(303, loginUrl(SAFE.has(req.method) ? req.originalUrl : refererPath(req)));
      return;
    }
    for (const [name, value] of Object.entries(err.headers)) if (name === 'Retry-After') res.setHeader(name, value);
    if (err.status === 404) {
      ctx.render('not-found', { title: ctx.t('not-found.title') }, 404);
      return;
    }
    ctx.render('error', { title: ctx.t('error.title'), message: sentence(ctx, err) }, err.status);
  }

  /**
   * A page; `auth: 'user'` needs a login, `'public'` is for everyone (and knows who is logged in).
   * `opts.body`: a form whose body is read only once the visitor has passed the limits, the login
   * and the Origin check (a multipart form with files, up to 25 MiB in memory: never read for a
   * visitor who is refused anyway); its CSRF token, a field of that body, is checked right after.
   */
  function page(
    auth: 'public' | 'user',
    handler: PageHandler,
    opts: { body?: (req: Request, res: Response) => Promise<void> } = {},
  ): RequestHandler {
    return async (req: Request, res: Response, _next: NextFunction) => {
      // helmet's no-referrer makes browsers send `Origin: null` on form posts, which the Origin
      // check must refuse; same-origin keeps the Origin and still tells other sites nothing.
      res.setHeader('Referrer-Policy', 'same-origin');
      let ctx = context(req, res, undefined);
      try {
        await consume([limits.perIp, req.ip ?? 'unknown']);
        // The session cookie only: a bearer token (a script's) opens no page, the visitor is anonymous.
        const presented = presentedToken(req, PAGES);
        // A session that ended is no error: the visitor is simply not logged in any more.
        const caller = presented
          ? await authenticate(req, res, upstreams, PAGES).then(sessionOnly, notLoggedIn)
          : undefined;
        if (!caller && auth === 'user') {
          res.redirect(303, loginUrl(SAFE.has(req.method) ? req.originalUrl : refererPath(req)));
          return;
        }
        ctx = context(req, res, caller);
        if (!SAFE.has(req.method)) checkOrigin(req, PAGES);
        if (caller) await consume([limits.perUser, caller.identity.userId]);
        if (opts.body) await opts.body(req, res);
        if (!SAFE.has(req.method) && caller) checkCsrf(req, caller, csrfSecret);
        await handler(ctx);
      } catch (err) {
        renderFailure(ctx, err);
      }
    };
  }

  return { page, sentence, renderFailure };
}

/** What the pages take: the session cookie, never `Authorization: Bearer`. */
const PAGES = { bearer: false };

/** An API token planted in the session cookie is no session either. */
const sessionOnly = (caller: Caller): Caller | undefined => (caller.credential.kind === 'session' ? caller : undefined);

const notLoggedIn = (err: unknown): undefined => {
  if (err instanceof ProblemError && err.status === 401) return undefined;
  throw err;
};

export type PageKit = ReturnType<typeof pageKit>;

/** Problem field errors (`fields.orderRef`) as a map for the form, in the service's words. */
export function fieldErrors(err: ProblemError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of err.errors ?? []) out[e.path] ??= e.message;
  return out;
}
