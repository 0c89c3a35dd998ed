import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
// Re-exported so that every service sees pino-http's `req.id` and `req.log` on Express requests.
export type { HttpLogger } from 'pino-http';
import { runWithLogContext, type Logger } from './logger';
import { httpMetrics, metricsHandler } from './metrics';
import { notFoundHandler, problemHandler } from './problem';
import { checkReadiness, type ReadinessCheck } from './readiness';

export interface ServiceAppOptions {
  logger: Logger;
  readiness: readonly ReadinessCheck[];
  readinessTimeoutMs: number;
  /** Adds the service's own routes between the probes and the 404/problem handlers. */
  routes?: (app: Express) => void;
  /**
   * Serves GET /metrics on this app. Only for apps that are not public: the internal services
   * (reached on their own network); the gateway serves its metrics on a listener of its own.
   */
  metrics?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** A ticket reference as a path segment (`/v1/tickets/SUPPORT-12/…`, `/requests/SUPPORT-12`). */
const TICKET_IN_PATH = /\/(SUPPORT-[1-9][0-9]{0,15})(?=\/|$)/;

/**
 * A URL as it may be logged: the path, and the query's names without their values (a link
 * token arrives as `?token=`, a search as words a person typed).
 */
export function loggableUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()];
  return `${url.slice(0, q)}?${names.map((n) => `${encodeURIComponent(n)}=[redacted]`).join('&')}`;
}

/**
 * The Express app every service starts from: request ids (taken from X-Request-Id when it is
 * well-formed, so one id follows a request through the gateway), JSON logs, security headers,
 * liveness (`/healthz`: the process answers) and readiness (`/readyz`: its servers answer).
 */
export function createServiceApp({
  logger,
  readiness,
  readinessTimeoutMs,
  routes,
  metrics,
}: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind the gateway, X-Forwarded-For is whatever the client sent: services take the client's
  // address from the signed identity header (`clientAddress`). The gateway sets its own.
  app.set('trust proxy', false);
  app.use(httpMetrics());
  app.use(
    pinoHttp({
      logger,
      // No headers, query values or bodies: what is left cannot hold a password, token or cookie.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: loggableUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  // Every line logged while serving the request, by any logger, carries its id and its ticket.
  app.use((req, _res, next) => {
    const ticketReference = TICKET_IN_PATH.exec(req.path)?.[1];
    runWithLogContext(
      { reqId: String(req.id as string | number), ...(ticketReference ? { ticketReference } : {}) },
      next,
    );
  });
  app.use(helmet());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(readiness, readinessTimeoutMs, (name, err) =>
      logger.warn({ err, server: name }, 'readiness check failed'),
    );
    if (!report.ready) res.setHeader('Retry-After', '5');
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
  if (metrics) app.get('/metrics', metricsHandler());
  routes?.(app);
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
