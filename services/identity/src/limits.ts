import { createLimitStore, type Logger } from '@woop/service-kit';
import type { Connection } from 'mongoose';

/**
 * Counters shared by every copy of the service (in MongoDB, collection `rate_limit_counts`),
 * counted in memory and synced about once a second. They guard against guessing passwords
 * and link tokens and against mail bombing, so they are strict: between two syncs a copy
 * counts only its share of what is left, and N copies never let through twice the limit
 * (see @woop/service-kit rate-limits.ts). Login failures count per IP and per email + IP,
 * never per email alone: an attacker who knows an address cannot lock its owner out from the
 * owner's own network.
 */
export function createLimits(db: Connection, logger?: Logger) {
  const store = createLimitStore(db, { logger });
  const make = (keyPrefix: string, points: number, durationSeconds: number) =>
    store.limiter({ keyPrefix, points, durationSeconds, strict: true });
  return {
    linkRequestsPerIp: make('link-ip', 20, 3600),
    linkRequestsPerEmail: make('link-email', 5, 3600),
    loginFailuresPerIp: make('login-ip', 50, 900),
    loginFailuresPerEmailAndIp: make('login-email-ip', 10, 900),
    tokenAttemptsPerIp: make('token-ip', 30, 900),
    /** Writes the last counts (before the database closes). */
    close: () => store.close(),
  };
}

export type Limits = ReturnType<typeof createLimits>;
