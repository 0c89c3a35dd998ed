import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
// Re-exported so that every service sees pino-http's `req.id` and `req.log` on Express requests.
export type { HttpLogger } from 'pino-http';
import type { Logger } from './logger';
import { notFoundHandler, problemHandler } from './problem';
import { checkReadiness, type ReadinessCheck } from './readiness';

export interface ServiceAppOptions {
  logger: Logger;
  readiness: readonly ReadinessCheck[];
  readinessTimeoutMs: number;
  /** Adds the service's own routes between the probes and the 404/problem handlers. */
  routes?: (app: Express) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The Express app every service starts from: request ids (taken from X-Request-Id when it is
 * well-formed, so one id follows a request through the gateway), JSON logs, security headers,
 * liveness (`/healthz`: the process answers) and readiness (`/readyz`: its servers answer).
 */
export function createServiceApp({ logger, readiness, readinessTimeoutMs, routes }: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind the gateway, X-Forwarded-For is whatever the client sent: services take the client's
  // address from the signed identity header (`clientAddress`). The gateway sets its own.
  app.set('trust proxy', false);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
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
  routes?.(app);
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
