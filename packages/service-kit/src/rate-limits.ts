import type { Connection } from 'mongoose';
import {
  RateLimiterMemory,
  RateLimiterMongo,
  RateLimiterRes,
  RLWrapperTimeouts,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { commonProblem } from './problem';

export type RateLimiter = RateLimiterAbstract;

const COLLECTION = 'rate_limits';

/**
 * A counter shared by every copy of a service, in its MongoDB database (collection
 * `rate_limits`), so limits hold across copies and restarts. With `degradeAfterMs`, a database
 * that is down or slow does not take requests down with it: the copy counts in memory until the
 * database answers again.
 */
export function mongoLimiter(
  db: Connection,
  opts: { keyPrefix: string; points: number; durationSeconds: number; degradeAfterMs?: number },
): RateLimiter {
  const limits = { keyPrefix: opts.keyPrefix, points: opts.points, duration: opts.durationSeconds };
  const inMemory = opts.degradeAfterMs ? new RateLimiterMemory(limits) : undefined;
  const store = new RateLimiterMongo({
    ...limits,
    storeClient: db,
    tableName: COLLECTION,
    // FerretDB has no TTL index; expired counters are replaced in place and swept.
    disableIndexesCreation: true,
    ...(inMemory ? { insuranceLimiter: inMemory } : {}),
  });
  if (!inMemory) return store;
  return new RLWrapperTimeouts({ limiter: store, timeoutMs: opts.degradeAfterMs, insuranceLimiter: inMemory });
}

export async function ensureLimitIndexes(db: Connection): Promise<void> {
  await db.collection(COLLECTION).createIndex({ key: 1 }, { unique: true });
}

export async function sweepLimits(db: Connection, now = new Date()): Promise<void> {
  await db.collection(COLLECTION).deleteMany({ expire: { $lt: now } });
}

/** The 429 problem for an exhausted limit, with the seconds to wait in `Retry-After`. */
export const tooManyRequests = (res: RateLimiterRes, detail = 'Too many attempts; try again later.') =>
  commonProblem('rate_limited', detail, undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
  });

/** Counts one attempt against every limiter; the first exhausted one answers 429. */
export async function consume(...checks: Array<[RateLimiter, string]>): Promise<void> {
  for (const [limiter, key] of checks) {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooManyRequests(err);
      throw err;
    }
  }
}

/** 429 if any limiter is already exhausted, without counting (checked before a login). */
export async function ensureNotLimited(...checks: Array<[RateLimiter, string]>): Promise<void> {
  for (const [limiter, key] of checks) {
    const res = await limiter.get(key);
    if (res && res.remainingPoints <= 0 && res.msBeforeNext > 0) throw tooManyRequests(res);
  }
}
