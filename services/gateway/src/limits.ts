import { createLimitStore, type Logger, type RateLimiter } from '@woop/service-kit';
import type { Connection } from 'mongoose';
import type { GatewayConfig } from './config';

export interface GatewayLimits {
  perIp: RateLimiter;
  perUser: RateLimiter;
  authPerIp: RateLimiter;
  /** Writes the last counts (before the database closes). */
  close(): Promise<void>;
}

/**
 * Request counters shared by the gateway's copies and kept across restarts, counted in memory
 * and synced with its database every RATE_LIMIT_SYNC_INTERVAL_MS: no database write per
 * request. Another copy's counts arrive within one interval. If the database is slow or down,
 * each copy counts in memory meanwhile: a limit that is a little loose for a while beats a
 * portal that does not answer.
 */
export function createGatewayLimits(db: Connection, config: GatewayConfig, logger?: Logger): GatewayLimits {
  const store = createLimitStore(db, {
    syncIntervalMs: config.RATE_LIMIT_SYNC_INTERVAL_MS,
    loadTimeoutMs: config.RATE_LIMIT_STORE_TIMEOUT_MS,
    logger,
  });
  const make = (keyPrefix: string, points: number) => store.limiter({ keyPrefix, points, durationSeconds: 60 });
  return {
    perIp: make('gw-ip', config.RATE_LIMIT_IP_PER_MINUTE),
    perUser: make('gw-user', config.RATE_LIMIT_USER_PER_MINUTE),
    authPerIp: make('gw-auth-ip', config.RATE_LIMIT_AUTH_PER_MINUTE),
    close: () => store.close(),
  };
}
