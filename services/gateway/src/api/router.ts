import express, { type Request, type RequestHandler, type Router } from 'express';
import { idempotencyKeySchema } from '@woop/contracts';
import { consume, parseInput } from '@woop/service-kit';
import { authenticate, checkCsrf, checkOrigin } from '../auth';
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

/** Reads the body the route takes, and refuses any other kind. */
function bodyReader(route: ApiRoute): RequestHandler {
  if (route.rawBody) {
    const { types, maxBytes } = route.rawBody;
    const raw = express.raw({ type: () => true, limit: maxBytes });
    return (req, res, next) => {
      const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!types.includes(type)) return next(unsupportedMediaType(types.join(', ')));
      raw(req, res, next);
    };
  }
  const json = express.json({ limit: JSON_LIMIT });
  return (req, res, next) => {
    if (hasBody(req) && !req.is('application/json')) return next(unsupportedMediaType('application/json'));
    json(req, res, next);
  };
}

/**
 * The public API from its route table. Each request goes through, in order: the per-IP limit
 * (stricter on login, sign-up and reset), the body reader, the Origin check, authentication
 * (session cookie or bearer token, resolved by identity) with CSRF for cookie changes, the
 * per-user limit, validation of path, query, headers and body with the documented schemas,
 * then the route's handler, which usually forwards to the owning service.
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
    handlers.push(bodyReader(route));
    handlers.push(async (req, res) => {
      checkOrigin(req);
      const caller = route.auth === 'user' ? await authenticate(req, res, upstreams) : undefined;
      if (caller) {
        checkCsrf(req, caller, csrfSecret);
        await consume([limits.perUser, caller.identity.userId]);
      }
      const params = route.params ? (parseInput(route.params, req.params, 'path') as Record<string, string>) : {};
      if (route.query) parseInput(route.query, req.query, 'query');
      const key = req.header('idempotency-key');
      if (route.idempotent && key !== undefined) parseInput(idempotencyKeySchema, key, 'Idempotency-Key header');
      const ctx: RouteContext = { req, res, caller, params, upstreams, csrfSecret, forwarded: {} };
      if (route.body) {
        const { _csrf: _token, ...sent } = (req.body ?? {}) as Record<string, unknown>;
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
  return router;
}
