import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Connection } from 'mongoose';
import { ProblemError } from '@woop/service-kit';

/**
 * Counters shared by every copy of the service (in MongoDB, collection `rate_limits`).
 * Login failures count per IP and per email + IP, never per email alone: an attacker who
 * knows an address cannot lock its owner out from the owner's own network.
 */
export function createLimits(db: Connection) {
  const make = (keyPrefix: string, points: number, durationSeconds: number) =>
    new RateLimiterMongo({
      storeClient: db,
      tableName: 'rate_limits',
      keyPrefix,
      points,
      duration: durationSeconds,
      // FerretDB has no TTL index; expired counters are replaced in place and swept.
      disableIndexesCreation: true,
    });
  return {
    linkRequestsPerIp: make('link-ip', 20, 3600),
    linkRequestsPerEmail: make('link-email', 5, 3600),
    loginFailuresPerIp: make('login-ip', 50, 900),
    loginFailuresPerEmailAndIp: make('login-email-ip', 10, 900),
    tokenAttemptsPerIp: make('token-ip', 30, 900),
  };
}

export type Limits = ReturnType<typeof createLimits>;

export async function ensureLimitIndexes(db: Connection): Promise<void> {
  await db.collection('rate_limits').createIndex({ key: 1 }, { unique: true });
}

export async function sweepLimits(db: Connection, now = new Date()): Promise<void> {
  await db.collection('rate_limits').deleteMany({ expire: { $lt: now } });
}

const tooMany = (res: RateLimiterRes) =>
  new ProblemError(429, 'rate_limited', 'Too many attempts', 'Too many attempts; try again later.', undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
  });

/** Counts one attempt against every limiter; the first exhausted one answers 429. */
export async function consume(...checks: Array<[RateLimiterMongo, string]>): Promise<void> {
  for (const [limiter, key] of checks) {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err);
      throw err;
    }
  }
}

/** 429 if any limiter is already exhausted, without counting (checked before a login). */
export async function ensureNotLimited(...checks: Array<[RateLimiterMongo, string]>): Promise<void> {
  for (const [limiter, key] of checks) {
    const res = await limiter.get(key);
    if (res && res.remainingPoints <= 0 && res.msBeforeNext > 0) throw tooMany(res);
  }
}
