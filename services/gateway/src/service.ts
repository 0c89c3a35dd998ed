import { createHmac } from 'node:crypto';
import type { RequestHandler } from 'express';
import {
  connectMongo,
  ensureLimitIndexes,
  sweepLimits,
  temporalPayloadCodec,
  type Logger,
  type MongoHandle,
  type ServiceParts,
} from '@woop/service-kit';
import { accountRoutes } from './api/account-routes';
import { cannedAnswerRoutes } from './api/canned-answer-routes';
import { API_BASE, openApiDocument, type OpenApiDocument } from './api/openapi';
import { preferenceRoutes } from './api/preference-routes';
import { reportRoutes } from './api/report-routes';
import { apiRouter } from './api/router';
import { ticketRoutes } from './api/ticket-routes';
import { mountCodec } from './codec';
import type { GatewayConfig } from './config';
import { mountDocs } from './docs/page';
import { createGatewayLimits } from './limits';
import { mountPages } from './pages';
import { upstreamReadiness, Upstreams } from './upstreams';

export const API_VERSION = '1.0.0';

/**
 * Requests that carry X-Forwarded-For while TRUST_PROXY is `false`: a proxy in front whose word
 * the gateway does not take, so every client counts as the proxy's one address (the per-IP rate
 * limits then throttle everyone together, and an attacker's failed logins count against all).
 * Said once, at warn level, with what to set (docs/api.md, "Behind a proxy").
 */
export function warnOfUntrustedProxy(logger: Pick<Logger, 'warn'>): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.header('x-forwarded-for') !== undefined) {
      warned = true;
      logger.warn(
        { remoteAddress: req.socket.remoteAddress },
        "requests carry X-Forwarded-For but TRUST_PROXY is false: every client counts as the proxy's address " +
          '(per-IP rate limits shared by all); set TRUST_PROXY to the proxy (loopback, its CIDR or a hop count)',
      );
    }
    next();
  };
}
export const API_ROUTES = [
  ...accountRoutes,
  ...ticketRoutes,
  ...preferenceRoutes,
  ...reportRoutes,
  ...cannedAnswerRoutes,
];

/**
 * The gateway's parts, for its main and for tests that run it in-process: the versioned API
 * with its OpenAPI document and docs page, in front of identity, tickets and notifications.
 */
export interface GatewayService {
  parts: ServiceParts;
  ready: Promise<void>;
  document: OpenApiDocument;
  mongo: MongoHandle;
}

export function gatewayService(config: GatewayConfig, logger: Logger): GatewayService {
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  const ready = mongo.connected.then(() => ensureLimitIndexes(mongo.connection));
  ready.catch((err) => logger.error({ err }, 'could not create the rate-limit index'));
  const sweeper = setInterval(() => {
    void sweepLimits(mongo.connection).catch((err) => logger.warn({ err }, 'sweep of rate-limit counters failed'));
  }, 60_000);
  sweeper.unref();

  const limits = createGatewayLimits(mongo.connection, config, logger);
  const upstreams = new Upstreams(config);
  const document: OpenApiDocument = openApiDocument(API_ROUTES, API_VERSION);
  // Its own key, derived from the shared secret: a CSRF token is no signature of anything else.
  const csrfSecret = createHmac('sha256', config.INTERNAL_AUTH_SECRET).update('woop-gateway-csrf').digest('base64url');

  const parts: ServiceParts = {
    readiness: upstreamReadiness(config),
    routes: (app) => {
      app.set('trust proxy', config.TRUST_PROXY);
      if (config.TRUST_PROXY === false) app.use(warnOfUntrustedProxy(logger));
      mountDocs(app, API_BASE, document);
      app.use(API_BASE, apiRouter({ routes: API_ROUTES, upstreams, limits, csrfSecret }));
      // The Temporal UI's remote codec: decrypted payloads for a signed-in admin only.
      mountCodec(app, {
        codec: temporalPayloadCodec(config),
        upstreams,
        limits,
        temporalUiUrl: config.TEMPORAL_UI_URL,
      });
      mountPages(app, {
        upstreams,
        limits,
        csrfSecret,
        temporalUiUrl: config.TEMPORAL_UI_URL,
        ...(config.ZIPKIN_UI_URL ? { zipkinUiUrl: config.ZIPKIN_UI_URL } : {}),
        temporalNamespace: config.TEMPORAL_NAMESPACE,
      });
    },
    closeables: [{ close: async () => clearInterval(sweeper) }, limits, mongo],
  };
  return { parts, ready, document, mongo };
}
