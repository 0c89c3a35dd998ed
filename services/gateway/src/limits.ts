import { mongoLimiter, type RateLimiter } from '@woop/service-kit';
import type { Connection } from 'mongoose';
import type { GatewayConfig } from './config';

export interface GatewayLimits {
  perIp: RateLimiter;
  perUser: RateLimiter;
  authPerIp: RateLimiter;
}

/**
 * Request counters in the gateway's database, shared by its copies and kept across restarts.
 * If the database is slow or down, each copy counts in memory meanwhile: a limit that is a
 * little loose for a while beats a portal that does not answer.
 */
export function createGatewayLimits(db: Connection, config: GatewayConfig): GatewayLimits {
  const make = (keyPrefix: string, points: number) =>
    mongoLimiter(db, { keyPrefix, points, durationSeconds: 60, degradeAfterMs: config.RATE_LIMIT_STORE_TIMEOUT_MS });
  return {
    perIp: make('gw-ip', config.RATE_LIMIT_IP_PER_MINUTE),
    perUser: make('gw-user', config.RATE_LIMIT_USER_PER_MINUTE),
    authPerIp: make('gw-auth-ip', config.RATE_LIMIT_AUTH_PER_MINUTE),
  };
}
