import express, { type Request, type RequestHandler, type Router } from 'express';
import { idempotencyKeySchema } from '@woop/contracts';
import { consume, parseInput } from '@woop/service-kit';
import { authenticate, checkCsrf, checkOrigin, checkScope, requireSession, type Caller } from '../auth';
import type { GatewayLimits } from '../limits';
import { problem } from '../problems';
import type { Upstreams } from '../upstreams';
import type { ApiRoute, RouteContext } from './route';

/** JSON bodies: the largest the services take (a request's description and fields). */
export const JSON_LIMIT = '256kb';

export const expressPath = (openApiPath: string): string => openApiPath.replace(/\{(\w+)\}/g, ':$1');

const hasBody = (req: Request) =>
  req.header('transfer-encoding') !== undefined || Number(req.header('content-length') ?? 0) > 0;

const unsupportedMediaType = (expected: string) => problem('unsupported_media_type', `Send the body as ${expected}.`);

/** A UTF-16 half without its other half: not text, and stored it would come back changed (U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where a JSON value holds a string (or key) that is not well-formed Unicode: dotted paths. */
export function illFormedText(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? [path.join('.') || '(root)'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => illFormedText(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      LONE_SURROGATE.test(k) ? [[...path, k].join('.')] : illFormedText(v, [...path, k]),
    );
  }
  return [];
}

/**
 * A body the reader could not take as sent (an encoding or charset it does not know, a length
 * that lies) is the client's problem, not a 500: the reader's own 4xx errors become problems.
 */
function readerProblem(err: unknown, json: boolean): unknown {
  const type = (err as { type?: string } | undefined)?.type;
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return unsupportedMediaType(json ? 'application/json (UTF-8), without Content-Encoding or gzip' : 'the file');
  }
  if (type === 'request.size.invalid' || type === 'request.aborted') {
    return json
      ? problem('malformed_json', 'The body does not have the length the request announced.')
      : problem('validation_failed', 'The body does not have the length the request announced.', [
          { path: '(body)', message: 'length mismatch' },
        ]);
  }
  return err;
}

/** JSON is UTF-8 (RFC 8259): another charset named in Content-Type is refused, not guessed. */
const charsetOf = (req: Request) =>
  /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.header('content-type') ?? '')?.[1]?.toLowerCase();

/** Reads the body the route takes, and refuses any other kind. */
function bodyReader(route: ApiRoute): RequestHandler {
  if (route.rawBody) {
    const { types, maxBytes } = route.rawBody;
    const raw = express.raw({ type: () => true, limit: maxBytes });
    return (req, res, next) => {
      const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!types.includes(type)) return next(unsupportedMediaType(types.join(', ')));
      raw(req, res, (err?: unknown) => next(err === undefined ? undefined : readerProblem(err, false)));
    };
  }
  const json = express.json({ limit: JSON_LIMIT });
  return (req, res, next) => {
    if (!hasBody(req)) return json(req, res, next);
    const charset = charsetOf(req);
    if (!req.is('application/json') || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
      return next(unsupportedMediaType('application/json (UTF-8)'));
    }
    json(req, res, (err?: unknown) => next(err === undefined ? undefined : readerProblem(err, true)));
  };
}

/** The methods a path answers, for `Allow`: the declared ones, and HEAD wherever GET is. */
function allowedMethods(routes: readonly ApiRoute[], path: string): string {
  const methods = routes.filter((r) => r.path === path).map((r) => r.method.toUpperCase());
  if (methods.includes('GET')) methods.push('HEAD');
  return methods.join(', ');
}

/**
 * The public API from its route table. Each request goes through, in order: the per-IP limit
 * (stricter on login, sign-up and reset), the Origin check, authentication (session cookie or
 * bearer token, resolved by identity), the per-user limit, the API token's scope (and, on
 * token management, that the caller is a session), and only then the body reader:
 * a request nobody signed in to is refused before its body is read (a 401 goes back while the
 * client is still sending, and the body is never buffered). Then CSRF for cookie changes,
 * validation of path, query, headers and body with the documented schemas, and the route's
 * handler, which usually forwards to the owning service. A method a known path does not
 * declare is a 405 with `Allow`.
 */
export function apiRouter(deps: {
  routes: readonly ApiRoute[];
  upstreams: Upstreams;
  limits: GatewayLimits;
  csrfSecret: string;
}): Router {
  const { upstreams, limits, csrfSecret } = deps;
  const router = express.Router();
  const ip = (req: Request) => req.ip ?? 'unknown';

  router.use(async (req, _res, next) => {
    await consume([limits.perIp, ip(req)]);
    next();
  });

  for (const route of deps.routes) {
    const handlers: RequestHandler[] = [];
    if (route.authLimit) {
      handlers.push(async (req, _res, next) => {
        await consume([limits.authPerIp, ip(req)]);
        next();
      });
    }
    handlers.push(async (req, res, next) => {
      checkOrigin(req);
      if (route.auth === 'user') {
        const caller = await authenticate(req, res, upstreams);
        await consume([limits.perUser, caller.identity.userId]);
        if (route.sessionOnly) requireSession(caller);
        checkScope(req, caller);
        res.locals.caller = caller;
      }
      next();
    });
    handlers.push(bodyReader(route));
    handlers.push(async (req, res) => {
      const caller = res.locals.caller as Caller | undefined;
      // After the body: a form may carry the token as its `_csrf` field.
      if (caller) checkCsrf(req, caller, csrfSecret);
      const params = route.params ? (parseInput(route.params, req.params, 'path') as Record<string, string>) : {};
      if (route.query) parseInput(route.query, req.query, 'query');
      const key = req.header('idempotency-key');
      if (route.idempotent && key !== undefined) parseInput(idempotencyKeySchema, key, 'Idempotency-Key header');
      const ctx: RouteContext = { req, res, caller, params, upstreams, csrfSecret, forwarded: {} };
      if (route.body) {
        // A JSON array (or anything but an object) is not a body of fields: spread, `[null, null]`
        // would become `{0: null, 1: null}` and pass a schema of optional fields.
        const raw: unknown = req.body ?? {};
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
          throw problem('validation_failed', 'The body must be a JSON object.', [
            { path: '(body)', message: 'expected an object' },
          ]);
        }
        const { _csrf: _token, ...sent } = raw as Record<string, unknown>;
        const illFormed = illFormedText(sent);
        if (illFormed.length > 0) {
          throw problem(
            'validation_failed',
            'Text must be well-formed Unicode.',
            illFormed.map((path) => ({ path, message: 'a lone UTF-16 surrogate' })),
          );
        }
        ctx.body = parseInput(route.body, sent);
        ctx.forwarded.json = sent;
      } else if (route.rawBody) {
        const file = req.body as Buffer;
        if (!Buffer.isBuffer(file) || file.length === 0) {
          throw problem('validation_failed', 'The body must be the file.', [{ path: '(body)', message: 'empty file' }]);
        }
        ctx.forwarded.file = { body: file, contentType: req.header('content-type')! };
      }
      await route.handle(ctx);
    });
    router[route.method](expressPath(route.path), ...handlers);
  }

  // Any other method on a path of the document: 405 with what it takes (RFC 9110), not a 404.
  for (const path of new Set(deps.routes.map((r) => r.path))) {
    const allow = allowedMethods(deps.routes, path);
    router.all(expressPath(path), (req, _res, next) => {
      next(
        problem('method_not_allowed', `${req.method} is not a method of this path; it takes ${allow}.`, undefined, {
          Allow: allow,
        }),
      );
    });
  }
  return router;
}
