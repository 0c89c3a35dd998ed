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
 * request. Another copy's counts arrive within two intervals. If the database is slow or down,
 * each copy counts in memory meanwhile: a limit that is a little loose for a while beats a
 * portal that does not answer. The auth limit is strict (see @woop/service-kit rate-limits.ts):
 * it is read again on the attempt, and it answers 503 rather than guess when the database is down.
 */
export function createGatewayLimits(db: Connection, config: GatewayConfig, logger?: Logger): GatewayLimits {
  const store = createLimitStore(db, {
    syncIntervalMs: config.RATE_LIMIT_SYNC_INTERVAL_MS,
    loadTimeoutMs: config.RATE_LIMIT_STORE_TIMEOUT_MS,
    logger,
  });
  const make = (keyPrefix: string, points: number, strict = false) =>
    store.limiter({ keyPrefix, points, durationSeconds: 60, strict });
  return {
    perIp: make('gw-ip', config.RATE_LIMIT_IP_PER_MINUTE),
    perUser: make('gw-user', config.RATE_LIMIT_USER_PER_MINUTE),
    // Logins, sign-ups and resets: a security limit, strict (an attacker spreading attempts over
    // the copies gets under 1.5 times it with two copies, not twice), at most one database read per attempt.
    authPerIp: make('gw-auth-ip', config.RATE_LIMIT_AUTH_PER_MINUTE, true),
    close: () => store.close(),
  };
}
