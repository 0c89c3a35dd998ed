import { closeServer, createLogger, type Logger } from '@woop/service-kit';
import { loadGatewayConfig, type GatewayConfig } from '../../services/gateway/src/config';
import { gatewayService, type GatewayService } from '../../services/gateway/src/service';
import { uniqueId } from './ids';
import { serveInProcess } from './serve';

const testLogger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface RunningGateway {
  /** http://127.0.0.1:<port> */
  origin: string;
  config: GatewayConfig;
  svc: GatewayService;
  /** Stops it; its database stays when `keepDatabase` (another copy takes over). */
  stop(opts?: { keepDatabase?: boolean }): Promise<void>;
}

/**
 * The gateway in-process in front of the given services (URLs ending in their origin), with a
 * database of its own for its rate-limit counters. It trusts loopback proxies, so tests can
 * play clients at different addresses with X-Forwarded-For. `port` (default: any free one) lets
 * a test give the origin to identity and notifications before it starts, for emailed links.
 * `logger` (silent by default) lets a test read what it logs.
 */
export async function startGateway(
  env: Record<string, string>,
  opts: { port?: number; logger?: Logger } = {},
): Promise<RunningGateway> {
  const logger = opts.logger ?? testLogger;
  const config = loadGatewayConfig({
    MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
    MONGODB_DB: uniqueId('gateway').replace(/-/g, '_'),
    TRUST_PROXY: 'loopback',
    // High enough for a test run; the rate-limit tests set their own.
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    ...env,
  });
  const svc = gatewayService(config, logger);
  await svc.mongo.connected;
  await svc.ready;
  const { server, origin } = await serveInProcess(logger, svc.parts, opts.port);
  return {
    origin,
    config,
    svc,
    async stop(opts = {}) {
      await closeServer(server);
      // Dropped just before its connection closes: the rate limits, closed before, write their
      // last counts, which would otherwise bring the database back.
      for (const c of svc.parts.closeables) {
        if (c === svc.mongo && !opts.keepDatabase) await svc.mongo.connection.dropDatabase();
        await c.close();
      }
    },
  };
}

/** A service's origin from its API base (`http://127.0.0.1:1234/v1` → `http://127.0.0.1:1234`). */
export const originOf = (base: string): string => new URL(base).origin;
