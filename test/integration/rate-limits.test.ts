import {
  connectMongo,
  consume,
  createLimitStore,
  createLogger,
  ensureLimitIndexes,
  ensureNotLimited,
  type LimitStore,
  type MongoHandle,
  ProblemError,
  type RateLimiter,
} from '@woop/service-kit';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { uniqueId } from '../support/ids';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';

/**
 * The shared rate limits on the real FerretDB: each "copy" is a store on a connection of its
 * own to one database, as two processes of a service would be.
 */
describe('rate limits counted in memory and synced through the database', () => {
  let dbName = '';
  const handles: MongoHandle[] = [];
  const stores: LimitStore[] = [];

  /** A copy of a service; `syncIntervalMs` long means it syncs only when it must (or is told to). */
  const copy = async (syncIntervalMs = 3_600_000, loadTimeoutMs?: number) => {
    const mongo = connectMongo(uri, dbName, logger);
    handles.push(mongo);
    await mongo.connected;
    const store = createLimitStore(mongo.connection, { syncIntervalMs, logger, loadTimeoutMs });
    stores.push(store);
    return Object.assign(store, { mongo });
  };

  // Each test is a service of its own: its own database, its own copies.
  beforeEach(async () => {
    dbName = uniqueId('limits').replace(/-/g, '_');
    const first = connectMongo(uri, dbName, logger);
    handles.push(first);
    await first.connected;
    await ensureLimitIndexes(first.connection);
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await handles[0]?.connection.dropDatabase();
    for (const h of handles.splice(0)) await h.close();
  });

  /** How many of `n` attempts a limiter lets through (rejections are RateLimiterRes). */
  const attempts = async (n: number, pick: (i: number) => RateLimiter, key: string) => {
    let allowed = 0;
    for (let i = 0; i < n; i++) {
      try {
        await pick(i).consume(key);
        allowed++;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        expect(err.remainingPoints).toBe(0);
        expect(err.msBeforeNext).toBeGreaterThan(0);
      }
    }
    return allowed;
  };

  it('shares one count between two copies: what one counted reaches the other at its next sync', async () => {
    // Syncs are called here where the timer would make them, so that a loaded machine cannot
    // make the test late; the next test shows the timer doing it.
    const [a, b] = [await copy(), await copy()];
    const limit = { keyPrefix: uniqueId('shared'), points: 10, durationSeconds: 60 };
    const [onA, onB] = [a.limiter(limit), b.limiter(limit)];
    expect(await attempts(6, () => onA, 'client')).toBe(6);
    await a.sync();
    expect(await attempts(6, () => onB, 'client')).toBe(4); // B reads the key when it first meets it
    await b.sync();
    // A reads a key's count back at the syncs after it uses the key.
    expect((await onA.get('client'))?.consumedPoints).toBe(6);
    await a.sync();
    expect(await attempts(1, () => onA, 'client')).toBe(0);
    expect((await onA.get('client'))?.consumedPoints).toBe(10);
    // Another key has its own count.
    expect(await attempts(1, () => onB, 'another-client')).toBe(1);
  });

  it('syncs by itself about once an interval', async () => {
    const a = await copy(200);
    const limit = a.limiter({ keyPrefix: uniqueId('timer'), points: 10, durationSeconds: 60 });
    for (const key of ['one', 'two', 'three']) await limit.consume(key);
    const stored = a.mongo.connection.collection('rate_limit_counts');
    const deadline = Date.now() + 10_000;
    let count = 0;
    while (count < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      count = await stored.countDocuments({
        k: { $in: ['one', 'two', 'three'].map((k) => `${limit.opts.keyPrefix}:${k}`) },
      });
    }
    expect(count).toBe(3);
  });

  it('keeps the counts over a restart: a new copy sees what the stopped one counted', async () => {
    const limit = { keyPrefix: uniqueId('restart'), points: 5, durationSeconds: 60 };
    const before = await copy();
    expect(await attempts(7, () => before.limiter(limit), 'client')).toBe(5);
    await before.close(); // writes its last counts, as a service stopping does
    const after = await copy();
    const res = await after.limiter(limit).get('client');
    expect(res).toMatchObject({ consumedPoints: 5, remainingPoints: 0 });
    expect(await attempts(1, () => after.limiter(limit), 'client')).toBe(0);
  });

  it('keeps a strict limit under twice its points when an attacker alternates two copies that never sync on their own', async () => {
    const [a, b] = [await copy(), await copy()];
    // Each learns that two copies are alive (a copy does at start, and every few seconds).
    await a.sync();
    await b.sync();
    await a.sync();
    expect([a.copies, b.copies]).toEqual([2, 2]);
    const strict = { keyPrefix: uniqueId('strict'), points: 10, durationSeconds: 900, strict: true };
    const [onA, onB] = [a.limiter(strict), b.limiter(strict)];
    const allowed = await attempts(40, (i) => (i % 2 ? onB : onA), 'login|203.0.113.9');
    expect(allowed).toBeGreaterThanOrEqual(10);
    expect(allowed).toBeLessThanOrEqual(15); // points × (2N−1)/N with N = 2

    // The same attack on plain limits gets each copy's whole limit: that is what strict is for.
    const plain = { ...strict, keyPrefix: uniqueId('plain'), strict: false };
    expect(await attempts(40, (i) => (i % 2 ? b.limiter(plain) : a.limiter(plain)), 'login|203.0.113.9')).toBe(20);
  });

  it('counts penalties and forgets a key on every copy after a delete', async () => {
    const [a, b] = [await copy(100), await copy(100)];
    const strict = { keyPrefix: uniqueId('failures'), points: 3, durationSeconds: 900, strict: true };
    const [onA, onB] = [a.limiter(strict), b.limiter(strict)];
    for (let i = 0; i < 3; i++) await onA.penalty('claire|203.0.113.9');
    await a.sync();
    expect(await onB.get('claire|203.0.113.9')).toMatchObject({ consumedPoints: 3, remainingPoints: 0 });
    expect(await onB.delete('claire|203.0.113.9')).toBe(true);
    await b.sync();
    // A strict key older than one interval is read again when used.
    await new Promise((r) => setTimeout(r, 150));
    expect(await onA.get('claire|203.0.113.9')).toBeNull();
    expect(await attempts(3, () => onA, 'claire|203.0.113.9')).toBe(3);
  });

  it('counts plain limits in memory while the database is gone; strict ones fail instead of guessing', async () => {
    const cut = await copy(100, 200);
    await cut.mongo.close(); // the database is unreachable from this copy
    const plain = cut.limiter({ keyPrefix: uniqueId('plain'), points: 3, durationSeconds: 60 });
    expect(await attempts(5, () => plain, 'client')).toBe(3);
    const strict = cut.limiter({ keyPrefix: uniqueId('strict'), points: 3, durationSeconds: 60, strict: true });
    await expect(strict.consume('client')).rejects.toThrow(/not connected/);
    // …which callers answer with a 503 and Retry-After (the client tries again), not a 500.
    const failed = await consume([strict, 'client']).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ProblemError);
    expect(failed).toMatchObject({ status: 503, code: 'service_unavailable', headers: { 'Retry-After': '5' } });
    const checked = await ensureNotLimited([strict, 'client']).catch((err: unknown) => err);
    expect(checked).toMatchObject({ status: 503, code: 'service_unavailable' });
  });

  it('slides: a burst at the end of a window still counts at the start of the next, until it has slid out', async () => {
    const store = await copy();
    const limit = store.limiter({ keyPrefix: uniqueId('sliding'), points: 3, durationSeconds: 2 });
    const toNextWindow = async (plusMs: number) =>
      new Promise((r) => setTimeout(r, 2_000 - (Date.now() % 2_000) + plusMs));
    await toNextWindow(1_000); // halfway through a window
    expect(await attempts(3, () => limit, 'client')).toBe(3);
    await toNextWindow(100); // early in the next one: the burst still weighs nearly 3
    let refused: RateLimiterRes | undefined;
    await limit.consume('client').catch((err: RateLimiterRes) => (refused = err));
    expect(refused).toBeInstanceOf(RateLimiterRes);
    // It says when one more attempt passes (a third of the way into this window), and it does.
    expect(refused!.msBeforeNext).toBeGreaterThan(300);
    expect(refused!.msBeforeNext).toBeLessThan(667);
    await new Promise((r) => setTimeout(r, refused!.msBeforeNext + 20));
    expect(await attempts(1, () => limit, 'client')).toBe(1);
  });
});
