import { mongoLimiter } from '@woop/service-kit';
import type { Connection } from 'mongoose';

/**
 * Counters shared by every copy of the service (in MongoDB, collection `rate_limits`).
 * Login failures count per IP and per email + IP, never per email alone: an attacker who
 * knows an address cannot lock its owner out from the owner's own network.
 */
export function createLimits(db: Connection) {
  const make = (keyPrefix: string, points: number, durationSeconds: number) =>
    mongoLimiter(db, { keyPrefix, points, durationSeconds });
  return {
    linkRequestsPerIp: make('link-ip', 20, 3600),
    linkRequestsPerEmail: make('link-email', 5, 3600),
    loginFailuresPerIp: make('login-ip', 50, 900),
    loginFailuresPerEmailAndIp: make('login-email-ip', 10, 900),
    tokenAttemptsPerIp: make('token-ip', 30, 900),
  };
}

export type Limits = ReturnType<typeof createLimits>;
