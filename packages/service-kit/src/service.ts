import type { Server } from 'node:http';
import type { Express } from 'express';
import type { BaseConfig } from './config';
import { createServiceApp } from './http';
import { closeServer, installShutdown, listen, type Closeable } from './lifecycle';
import { createLogger, type Logger } from './logger';
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
}): Promise<RunningService & { stop(): Promise<void> }> {
  const { name, config, port, tracing } = opts;
  const logger = createLogger(name, config.LOG_LEVEL);
  const parts = await opts.setup(logger);
  const app = createServiceApp({
    logger,
    readiness: parts.readiness,
    readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
    routes: parts.routes,
  });
  const server = await listen(app, config.HOST, port);
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${config.HOST}:${boundPort}`;
  logger.info({ url }, `${name} listening`);
  const steps = [() => closeServer(server), ...parts.closeables.map((c) => () => c.close()), () => tracing.shutdown()];
  if (opts.handleSignals !== false) installShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, steps);
  return {
    server,
    logger,
    url,
    async stop() {
      for (const step of steps) await step();
    },
  };
}
