import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, type mongo } from 'mongoose';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from './logger';
import { commonProblem, isServerUnavailable } from './problem';

/**
 * Rate limits shared by every copy of a service and kept over restarts, without a database
 * write per request.
 *
 * Each copy counts in memory, in windows aligned on the clock (so that every copy means the
 * same window), and about once a second writes what it counted to the service's database
 * (collection `rate_limit_counts`) in one bulk write, then reads back what the other copies
 * counted for the keys it used (at the two syncs after each use: another copy's counts reach
 * a copy that uses the key within two intervals). A key's count in a window is the sum over
 * the copies' documents for that key and window: each copy SETS its own document
 * (`<key>:<window>:<copy>`), never `$inc`s a shared one, because FerretDB does not make
 * concurrent `$inc` on one document atomic. A copy that meets a key for the first time reads
 * its counts first (one read, no write), so a restarted copy, or a new one, sees what the
 * others counted.
 *
 * The count a limit compares is a sliding window's: this window's count plus the previous
 * window's, weighted by the part of it still inside the sliding window. A burst at the end of
 * one window and the start of the next is thus not twice the limit, and Retry-After is when
 * one more attempt would pass.
 *
 * rate-limiter-flexible has no store with a periodic sync (its memory limiter starts each
 * key's window at the key's first hit, which copies cannot sum; its Mongo limiter writes every
 * hit), so only its result type (`RateLimiterRes`) is kept: callers and `Retry-After` read it.
 *
 * Two kinds of limits:
 * - plain (the gateway's request limits): a copy decides on what it knows. Another copy's
 *   counts reach it within two sync intervals of its use of the key, so a burst spread over N
 *   copies within that time may get up to N times the limit; at ordinary rates a key's count
 *   lags by about one interval.
 * - strict (login, sign-up, reset): a key whose counts are older than one interval is read
 *   again on the request, and besides the whole limit a copy counts at most its share of what
 *   is left (`max(1, floor(left / copies))`, copies seen alive in the database) before it must
 *   write and read back; the request waits for that sync. What a copy cannot know is the other
 *   copies' unsynced counts, each at most a share of the limit, so N copies let through at most
 *   about `limit × (2N−1)/N` (under twice the limit whatever N; at most 15 for a limit of 10
 *   with two copies), and a copy killed with `kill -9` loses at most its unsynced share. A
 *   strict limit that cannot reach its database fails the request rather than guess.
 */

/**
 * The counts' database is not connected (a strict limit does not guess): like a database that
 * does not answer, a 503 with Retry-After (`isServerUnavailable`), not a 500.
 */
export class LimitStoreUnavailableError extends Error {
  override name = 'LimitStoreUnavailableError';
}

const COLLECTION = 'rate_limit_counts';
/** Documents saying which copies are alive (`k` of their heartbeat documents). */
const COPIES = '~copies';
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_MS;
const READ_BACK_SYNCS = 2;
/** `$in` lists of the read-back stay short. */
const READ_CHUNK = 500;

export interface LimitOptions {
  /** Names the limit; keys are counted as `<keyPrefix>:<key>`. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Security limits: bounded whatever the copies do between syncs (see above). */
  strict?: boolean;
}

export interface LimitStoreOptions {
  /** How often a copy writes its counts and reads the others' (default 1 s). */
  syncIntervalMs?: number;
  /**
   * Plain limits: a first read of a key that the database has not answered within this is
   * counted in memory meanwhile (a limit a little loose for a while beats a portal that does
   * not answer). Strict limits always wait.
   */
  loadTimeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** This copy's name in the database (default: random, one per process). */
  copyId?: string;
}

/** A key's count in one window. */
interface Tally {
  /** This copy's points (negative after a `delete`, to cancel the others'). */
  own: number;
  /** `own` as last written to the database. */
  written: number;
  /** The other copies' points, as last read. */
  others: number;
}

interface Counter {
  window: number;
  durationMs: number;
  current: Tally;
  /** The window before `window`: part of it is still inside the sliding window. */
  previous: Tally;
  /** The others' counts have been read… */
  loaded: boolean;
  /** …last at this time (Date.now()). */
  readAt: number;
  /**
   * Syncs left that read its counts back: two after each use, so that what another copy
   * counted just before its own sync (up to one interval later) still arrives.
   */
  touched: number;
  loading?: Promise<void>;
}

interface CountDoc {
  _id: string;
  k: string;
  w?: number;
  c?: number;
  expire: Date;
}

const tally = (): Tally => ({ own: 0, written: 0, others: 0 });
const sum = (t: Tally) => t.own + t.others;
const windowOf = (now: number, durationMs: number) => Math.floor(now / durationMs);
/** Milliseconds from the start of the counter's window. */
const elapsed = (c: Counter, now: number) => now - c.window * c.durationMs;
/** The sliding window's count: this window's, and the previous one's still inside. */
const slidingCount = (c: Counter, now: number) =>
  sum(c.current) + sum(c.previous) * Math.max(0, 1 - elapsed(c, now) / c.durationMs);

/** One store per service and database: one sync loop for all its limits. */
export class LimitStore {
  readonly copyId: string;
  /** Counts of the current windows, by `<keyPrefix>:<key>`. */
  private readonly counters = new Map<string, Counter>();
  private readonly timer: NodeJS.Timeout;
  private readonly syncIntervalMs: number;
  readonly loadTimeoutMs: number | undefined;
  private current?: Promise<void>;
  private next?: Promise<void>;
  private lastHeartbeat = 0;
  private failing = false;
  private closed = false;
  /** Copies alive (heartbeats not expired), this one included; known after the first sync. */
  copies = 1;
  copiesKnown = false;

  constructor(
    private readonly db: Connection,
    private readonly opts: LimitStoreOptions = {},
  ) {
    this.copyId = opts.copyId ?? randomUUID();
    this.syncIntervalMs = opts.syncIntervalMs ?? 1_000;
    this.loadTimeoutMs = opts.loadTimeoutMs;
    this.timer = setInterval(() => {
      // Not connected yet, or reconnecting: next time. Idle: nothing to write or read back.
      if (this.db.readyState !== mongoose.ConnectionStates.connected || !this.busy()) return;
      this.sync().then(
        () => {
          if (this.failing) this.opts.logger?.info('rate-limit counters synced again');
          this.failing = false;
        },
        (err: unknown) => {
          // Once per outage: the counts stay in memory and go out with the next sync that works.
          if (!this.failing) this.opts.logger?.warn({ err }, 'rate-limit counters could not be synced');
          this.failing = true;
        },
      );
    }, this.syncIntervalMs);
    this.timer.unref();
  }

  limiter(opts: LimitOptions): RateLimiter {
    return new RateLimiter(this, opts);
  }

  private collection(): mongo.Collection<CountDoc> {
    const db = this.db.db;
    if (this.db.readyState !== mongoose.ConnectionStates.connected || !db) {
      throw new LimitStoreUnavailableError('the rate-limit database is not connected');
    }
    return db.collection<CountDoc>(COLLECTION);
  }

  private heartbeatDue = (now: number) => now - this.lastHeartbeat >= HEARTBEAT_MS || !this.copiesKnown;

  private busy(): boolean {
    if (this.heartbeatDue(Date.now())) return true;
    for (const c of this.counters.values()) {
      if (c.touched > 0 || c.current.own !== c.current.written || c.previous.own !== c.previous.written) return true;
    }
    return false;
  }

  /** This copy's document for a key and window: copies never write each other's. */
  private docId = (key: string, window: number) => `${key}:${window}:${this.copyId}`;

  /** The counter of `key` for the current window, its counts read if it is new. */
  async counter(key: string, durationMs: number, strict: boolean): Promise<Counter> {
    const now = Date.now();
    const window = windowOf(now, durationMs);
    let c = this.counters.get(key);
    if (!c || c.window !== window) {
      // A key known in the previous window keeps that window's count as the previous one. A
      // plain key's others then arrive with the next sync (no read on the request path);
      // strict keys are always read.
      const follows = c?.window === window - 1;
      c = {
        window,
        durationMs,
        current: tally(),
        previous: follows ? c!.current : tally(),
        loaded: follows && !strict && c!.loaded,
        readAt: 0,
        touched: READ_BACK_SYNCS,
      };
      this.counters.set(key, c);
    }
    c.touched = READ_BACK_SYNCS;
    // A plain key's counts are read back at the two syncs after its use. A strict key (a
    // login, a sign-up: rare) is read again on the request when they are older than one
    // interval, so what the other copies wrote meanwhile is never missed.
    if (!c.loaded || (strict && now - c.readAt > this.syncIntervalMs)) await this.load(key, c, strict);
    return c;
  }

  private async load(key: string, c: Counter, strict: boolean): Promise<void> {
    c.loading ??= (async () => {
      try {
        const readAt = Date.now();
        const docs = await this.collection()
          .find({ k: key, w: { $in: [c.window - 1, c.window] } })
          .toArray();
        this.apply(c, key, docs);
        c.loaded = true;
        c.readAt = readAt;
      } finally {
        c.loading = undefined;
      }
    })();
    const loading = c.loading;
    if (strict || this.loadTimeoutMs === undefined) return loading;
    // Plain limits: a slow or absent database does not hold the request, nor the next ones on
    // that key: they count from zero meanwhile; the read, or the next sync, brings the counts.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      loading.catch((err: unknown) => {
        if (!this.failing) this.opts.logger?.warn({ err }, 'rate-limit counter could not be read');
        this.failing = true;
      }),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.loadTimeoutMs))),
    ]);
    clearTimeout(timer);
    c.loaded = true;
  }

  /** The other copies' counts in a key's documents (all its windows). */
  private apply(c: Counter, key: string, docs: CountDoc[]): void {
    for (const [window, t] of [
      [c.window, c.current],
      [c.window - 1, c.previous],
    ] as const) {
      const mine = this.docId(key, window);
      let others = 0;
      for (const d of docs) {
        if (d.k !== key || d.w !== window) continue;
        if (d._id !== mine) others += d.c ?? 0;
        // This copy's own count of a window it no longer holds in memory (read at a first use).
        else if (t.own === 0 && t.written === 0) t.own = t.written = d.c ?? 0;
      }
      t.others = others;
    }
  }

  /**
   * Writes this copy's counts and reads back those of the keys used since the last syncs.
   * Calls while one runs share the next run (whose snapshot includes their counts).
   */
  sync(): Promise<void> {
    if (!this.current) {
      this.current = this.runSync().finally(() => (this.current = undefined));
      return this.current;
    }
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.sync();
      });
    return this.next;
  }

  private async runSync(): Promise<void> {
    const collection = this.collection();
    const now = Date.now();
    const writes: mongo.AnyBulkWriteOperation<CountDoc>[] = [];
    const flushed: Array<[Tally, number]> = [];
    const readBack: Array<[string, Counter]> = [];
    for (const [key, c] of this.counters) {
      if (now >= (c.window + 2) * c.durationMs) {
        this.counters.delete(key); // both its windows are past the sliding window
        continue;
      }
      for (const [window, t] of [
        [c.window, c.current],
        [c.window - 1, c.previous],
      ] as const) {
        if (t.own === t.written) continue;
        writes.push({
          updateOne: {
            filter: { _id: this.docId(key, window) },
            // Kept one window more: it is the next window's previous one.
            update: { $set: { k: key, w: window, c: t.own, expire: new Date((window + 2) * c.durationMs) } },
            upsert: true,
          },
        });
        flushed.push([t, t.own]);
      }
      if (c.touched > 0) readBack.push([key, c]);
    }
    const heartbeat = this.heartbeatDue(now);
    if (heartbeat) {
      writes.push({
        updateOne: {
          filter: { _id: `${COPIES}:${this.copyId}` },
          update: { $set: { k: COPIES, expire: new Date(now + HEARTBEAT_TTL_MS) } },
          upsert: true,
        },
      });
    }
    if (writes.length) await collection.bulkWrite(writes, { ordered: false });
    for (const [t, value] of flushed) t.written = value;
    if (heartbeat) this.lastHeartbeat = now;

    const readAt = Date.now();
    const keys = readBack.map(([key]) => key);
    const docs: CountDoc[] = [];
    for (let i = 0; i === 0 || i < keys.length; i += READ_CHUNK) {
      const chunk = keys.slice(i, i + READ_CHUNK);
      if (i === 0) chunk.push(COPIES);
      docs.push(...(await collection.find({ k: { $in: chunk } }).toArray()));
    }
    const byKey = new Map<string, CountDoc[]>();
    for (const d of docs) {
      const list = byKey.get(d.k);
      if (list) list.push(d);
      else byKey.set(d.k, [d]);
    }
    for (const [key, c] of readBack) {
      this.apply(c, key, byKey.get(key) ?? []);
      c.loaded = true;
      c.readAt = readAt;
      c.touched = Math.max(0, c.touched - 1);
    }
    const alive = (byKey.get(COPIES) ?? []).filter((d) => d.expire.getTime() > now).length;
    this.copies = Math.max(1, alive);
    this.copiesKnown = true;
  }

  /** How many more points a strict limit may count here before it must sync. */
  share(left: number): number {
    return Math.max(1, Math.floor(left / this.copies));
  }

  /** Writes what is left to write and leaves the copies that are alive. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.db.readyState !== mongoose.ConnectionStates.connected) return;
    try {
      await this.sync();
      await this.collection().deleteOne({ _id: `${COPIES}:${this.copyId}` });
    } catch (err) {
      this.opts.logger?.warn({ err }, 'last rate-limit counts could not be written');
    }
  }
}

/** A limit of `points` per `durationSeconds` and key; the methods callers use of rate-limiter-flexible's. */
export class RateLimiter {
  readonly points: number;
  private readonly durationMs: number;
  private readonly strict: boolean;

  constructor(
    private readonly store: LimitStore,
    readonly opts: LimitOptions,
  ) {
    this.points = opts.points;
    this.durationMs = opts.durationSeconds * 1000;
    this.strict = opts.strict ?? false;
  }

  private counter(key: string) {
    return this.store.counter(`${this.opts.keyPrefix}:${key}`, this.durationMs, this.strict);
  }

  /** When `points` more would pass: the previous window's part shrinks as time goes by. */
  private msUntil(c: Counter, now: number, points: number): number {
    const end = (c.window + 1) * c.durationMs;
    const room = this.points - points - sum(c.current);
    const previous = sum(c.previous);
    if (room >= 0) {
      if (previous <= room) return 0;
      // previous × (1 − t/D) ≤ room
      return Math.max(0, c.window * c.durationMs + (1 - room / previous) * c.durationMs - now);
    }
    // Not before this window ends; then this window's count is the previous one.
    const next = sum(c.current);
    const nextRoom = this.points - points;
    if (nextRoom < 0 || next <= 0) return end - now + c.durationMs;
    return end - now + Math.max(0, 1 - nextRoom / next) * c.durationMs;
  }

  private result(c: Counter, now: number, points = 1): RateLimiterRes {
    const count = slidingCount(c, now);
    return new RateLimiterRes(
      Math.max(0, Math.floor(this.points - count)),
      Math.max(1, this.msUntil(c, now, points)),
      Math.ceil(count),
      sum(c.current) === c.current.own,
    );
  }

  /** Strict limits: whether `adding` more unsynced points here would exceed this copy's share. */
  private overShare(c: Counter, now: number, adding: number): boolean {
    if (!this.strict) return false;
    const unsynced = c.current.own - c.current.written;
    const synced = slidingCount(c, now) - unsynced;
    return unsynced > 0 && unsynced + adding > this.store.share(this.points - synced);
  }

  /** Counts `points` against `key`; rejects with the `RateLimiterRes` when that would pass the limit. */
  async consume(key: string, points = 1): Promise<RateLimiterRes> {
    if (this.strict && !this.store.copiesKnown) await this.store.sync();
    for (;;) {
      const c = await this.counter(key);
      const now = Date.now();
      // Rejects with the result, as rate-limiter-flexible's limiters do (`consume` below reads it).
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (slidingCount(c, now) + points > this.points) throw this.result(c, now, points);
      if (this.overShare(c, now, points)) {
        await this.store.sync();
        continue;
      }
      c.current.own += points;
      return this.result(c, now);
    }
  }

  /** Counts `points` against `key` whatever the limit (a failed login after the check). */
  async penalty(key: string, points = 1): Promise<RateLimiterRes> {
    if (this.strict && !this.store.copiesKnown) await this.store.sync();
    const c = await this.counter(key);
    c.current.own += points;
    if (this.overShare(c, Date.now(), 0)) await this.store.sync();
    return this.result(c, Date.now());
  }

  /** The key's count, or null when nothing is counted. */
  async get(key: string): Promise<RateLimiterRes | null> {
    const c = await this.counter(key);
    const now = Date.now();
    return slidingCount(c, now) > 0 ? this.result(c, now) : null;
  }

  /**
   * Forgets the key's counts (a successful login clears the failures): this copy's counts
   * cancel what it knows of the others', so every copy sees zero after the next sync; what
   * another copy counted since is kept, which errs on the strict side.
   */
  async delete(key: string): Promise<boolean> {
    const c = await this.counter(key);
    const had = slidingCount(c, Date.now()) > 0;
    c.current.own = -c.current.others;
    c.previous.own = -c.previous.others;
    return had;
  }
}

/** The limits of one service, in its database (`limits.close()` writes the last counts). */
export function createLimitStore(db: Connection, opts: LimitStoreOptions = {}): LimitStore {
  return new LimitStore(db, opts);
}

export async function ensureLimitIndexes(db: Connection): Promise<void> {
  await db.collection(COLLECTION).createIndex({ k: 1, w: 1 });
}

/** FerretDB has no TTL index: counts of past windows and heartbeats of gone copies are swept. */
export async function sweepLimits(db: Connection, now = new Date()): Promise<void> {
  await db.collection(COLLECTION).deleteMany({ expire: { $lt: now } });
}

/** The 429 problem for an exhausted limit, with the seconds to wait in `Retry-After`. */
export const tooManyRequests = (res: RateLimiterRes, detail = 'Too many attempts; try again later.') =>
  commonProblem('rate_limited', detail, undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))),
  });

/** A strict limit whose database is not answering: the problem callers send (API and pages alike). */
const unavailable = (err: unknown) =>
  isServerUnavailable(err)
    ? commonProblem(
        'service_unavailable',
        'A part of the portal is not answering right now; try again in a few seconds.',
        undefined,
        {
          'Retry-After': '5',
        },
      )
    : err;

/** Counts one attempt against every limiter; the first exhausted one answers 429. */
export async function consume(...checks: Array<[RateLimiter, string]>): Promise<void> {
  for (const [limiter, key] of checks) {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooManyRequests(err);
      throw unavailable(err);
    }
  }
}

/** 429 if any limiter is already exhausted, without counting (checked before a login). */
export async function ensureNotLimited(...checks: Array<[RateLimiter, string]>): Promise<void> {
  for (const [limiter, key] of checks) {
    const res = await limiter.get(key).catch((err: unknown) => {
      throw unavailable(err);
    });
    if (res && res.remainingPoints <= 0 && res.msBeforeNext > 0) throw tooManyRequests(res);
  }
}
