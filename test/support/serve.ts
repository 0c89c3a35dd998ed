import type { Server } from 'node:http';
import { createServiceApp, listen, type Logger, type ServiceParts } from '@woop/service-kit';

/** A service's routes and probes served in-process on a loopback port (a free one unless given). */
export async function serveInProcess(
  logger: Logger,
  parts: Pick<ServiceParts, 'routes' | 'readiness'>,
  port = 0,
): Promise<{ server: Server; origin: string }> {
  const app = createServiceApp({ logger, readiness: parts.readiness, readinessTimeoutMs: 2_000, routes: parts.routes });
  const server = await listen(app, '127.0.0.1', port);
  const address = server.address();
  return { server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}
