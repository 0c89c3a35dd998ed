import { createLimitStore, type Logger } from '@woop/service-kit';
import type { Connection } from 'mongoose';

/**
 * Counters shared by every copy of the service (in MongoDB, collection `rate_limit_counts`),
 * counted in memory and synced about once a second. They guard against guessing passwords
 * and link tokens and against mail bombing, so they are strict: between two syncs a copy
 * counts only its share of what is left, and N copies never let through twice the limit
 * (see @woop/service-kit rate-limits.ts). Login failures count per IP, per email + IP, and per
 * email alone (LOGIN_FAILURES_PER_ACCOUNT in 15 minutes, 20 by default): guessing one account's
 * password from many addresses, or from behind a proxy that makes every client one address, is
 * bounded too. One source alone meets its email + IP limit (10) first, so it cannot lock the
 * owner out; many sources can, for 15 minutes at a time: time-boxed, and the password-reset
 * link still works (and clears the count).
 */
export function createLimits(db: Connection, logger?: Logger, opts: { loginFailuresPerAccount?: number } = {}) {
  const store = createLimitStore(db, { logger });
  const make = (keyPrefix: string, points: number, durationSeconds: number) =>
    store.limiter({ keyPrefix, points, durationSeconds, strict: true });
  return {
    linkRequestsPerIp: make('link-ip', 20, 3600),
    linkRequestsPerEmail: make('link-email', 5, 3600),
    loginFailuresPerIp: make('login-ip', 50, 900),
    loginFailuresPerEmailAndIp: make('login-email-ip', 10, 900),
    /** Keyed by a digest of the normalised address (`loginAccountKey`, then `addressKey`), account or not. */
    loginFailuresPerAccount: make('login-account', opts.loginFailuresPerAccount ?? 20, 900),
    tokenAttemptsPerIp: make('token-ip', 30, 900),
    /** Writes the last counts (before the database closes). */
    close: () => store.close(),
  };
}

export type Limits = ReturnType<typeof createLimits>;

/**
 * The per-account key of an address: trimmed, lower case, Unicode-normalised (NFKC), so that
 * `Claire@Enseigne.example ` and `claire@enseigne.example` count as one. Never a user id: an
 * address without an account counts the same way, so the answer says nothing of which exist.
 */
export const loginAccountKey = (email: string) => email.normalize('NFKC').trim().toLowerCase();
