import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { BaseConfig } from './config';
import { createServiceApp } from './http';
import { closeServer, installShutdown, listen, type Closeable } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { collectProcessMetrics, metricsHandler } from './metrics';
import type { ReadinessCheck } from './readiness';
import type { Tracing } from './tracing';

export interface ServiceParts {
  readiness: ReadinessCheck[];
  routes?: (app: Express) => void;
  /** Closed in order at shutdown, after the HTTP server stops taking requests. */
  closeables: Closeable[];
}

export interface RunningService {
  server: Server;
  logger: Logger;
  url: string;
  /** Where Prometheus scrapes this process: `${url}/metrics`, or the listener of its own. */
  metricsUrl: string;
}

/**
 * The one bootstrap of every service: logger, the service's parts (clients, routes), the HTTP
 * server with /healthz and /readyz, and graceful shutdown that ends with a trace flush.
 */
export async function runService(opts: {
  name: string;
  config: BaseConfig;
  port: number;
  tracing: Tracing;
  setup: (logger: Logger) => Promise<ServiceParts> | ServiceParts;
  handleSignals?: boolean;
  /**
   * Serve /metrics on a listener of its own instead of the service's port: for the gateway,
   * whose port is public. Bind it to an interface the public cannot reach (loopback by default).
   */
  metricsListener?: { host: string; port: number };
}): Promise<RunningService & { stop(): Promise<void> }> {
  const { name, config, port, tracing } = opts;
  const logger = createLogger(name, config.LOG_LEVEL);
  collectProcessMetrics();
  const parts = await opts.setup(logger);
  const app = createServiceApp({
    logger,
    readiness: parts.readiness,
    readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
    routes: parts.routes,
    metrics: !opts.metricsListener,
  });
  const server = await listen(app, config.HOST, port);
  const url = `http://${config.HOST}:${boundPort(server, port)}`;
  let metricsServer: Server | undefined;
  let metricsUrl = `${url}/metrics`;
  if (opts.metricsListener) {
    const { host, port: metricsPort } = opts.metricsListener;
    const metricsApp = express();
    metricsApp.disable('x-powered-by');
    metricsApp.get('/metrics', metricsHandler());
    metricsServer = await listen(metricsApp, host, metricsPort);
    metricsUrl = `http://${host}:${boundPort(metricsServer, metricsPort)}/metrics`;
  }
  logger.info({ url, metricsUrl }, `${name} listening`);
  const steps = [
    () => closeServer(server),
    ...(metricsServer ? [() => closeServer(metricsServer)] : []),
    ...parts.closeables.map((c) => () => c.close()),
    () => tracing.shutdown(),
  ];
  if (opts.handleSignals !== false) installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, steps);
  return {
    server,
    logger,
    url,
    metricsUrl,
    async stop() {
      for (const step of steps) await step();
    },
  };
}

function boundPort(server: Server, asked: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : asked;
}
