import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { ROOT } from '../support/processes';
import { startPrivateStack, type PrivateStack, type ServiceName } from './stack';
import { reportTable, tokenFor, Workload, type DrillReport } from './workload';

/**
 * Issue 23's scale-out drill, on a private system (./stack.ts) with two copies of every service
 * against the same servers: the services reach each pair through a round-robin
 * (./round-robin.ts), and clients reach the gateways through one. Then:
 * - a client's rate limit is one limit whatever gateway it reaches;
 * - a burst (./workload.ts) while one copy of each service is killed with SIGKILL, a few
 *   seconds apart: nothing lost, nothing doubled, every email sent once.
 * The table is printed at the end and saved to .data/drills/scale-out-report.json.
 */
const CUSTOMER = 'claire@enseigne.example';
const AGENT = 'paul@woop.example';
const ROUNDS = Number(process.env.DRILL_ROUNDS ?? 5);
const CLIENTS = Number(process.env.DRILL_CLIENTS ?? 4);
/** The gateway's limit on login, sign-up and reset attempts per client address (its default). */
const AUTH_LIMIT = 20;
/** The gateway's RATE_LIMIT_SYNC_INTERVAL_MS (its default): how often copies share their counts. */
const SYNC_MS = 1_000;
const COPIES = { identity: 2, tickets: 2, worker: 2, notifications: 2, gateway: 2 } as const;
/** Which copy of each service dies, and when in the burst (ms): one after the other. */
const KILLS: Array<[ServiceName, number, number]> = [
  ['gateway', 1, 1_500],
  ['tickets', 0, 3_000],
  ['worker', 0, 4_500],
  ['notifications', 1, 6_000],
  ['identity', 0, 7_500],
];

const reports: DrillReport[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stderr.write(`[drills] ${line}\n`);

/**
 * One attempt on a route under the gateway's auth limit (a reset completed with no token: the
 * limit counts it, then the body is refused; identity is never called, so only the gateway's
 * limit is at play), from a loopback address of the client's own (127.0.0.x: each is a client).
 */
function authAttempt(gateway: string, from: string): Promise<{ status: number; retryAfter?: string }> {
  const url = new URL('/api/v1/auth/password-reset/complete', gateway);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json' },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end('{}');
  });
}

describe('scale-out drill: two copies of every service', () => {
  let stack: PrivateStack;
  let customer: string;
  let agent: string;

  beforeAll(async () => {
    stack = await startPrivateStack(say, {
      copies: COPIES,
      env: {
        // Behind the drill's round-robin, as behind any balancer: the client's address is its.
        TRUST_PROXY: 'loopback',
        RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_LIMIT),
        RATE_LIMIT_SYNC_INTERVAL_MS: String(SYNC_MS),
        // An email claimed by the killed notifications copy is taken over once its claim lapses:
        // 30 s rather than 2 min, so that the drill fits its 5 minutes (a send takes milliseconds).
        NOTIFICATIONS_CLAIM_LEASE_MS: '30000',
      },
    });
    [customer, agent] = [await tokenFor(stack.gateway, CUSTOMER), await tokenFor(stack.gateway, AGENT)];
  }, 600_000);

  afterAll(async () => {
    const dir = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'drills');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'scale-out-report.json'), JSON.stringify(reports, null, 2));
    for (const line of reportTable(reports)) say(line);
    if (process.env.DRILL_KEEP !== '1') await stack?.down();
  }, 120_000);

  it('counts a client against one limit whichever gateway it reaches', async () => {
    const [a, b] = stack.urls('gateway') as [string, string];
    const untilRefused = async (from: string, targets: string[], pauseMs: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < 3 * AUTH_LIMIT; i++) {
        const { status } = await authAttempt(targets[i % targets.length]!, from);
        statuses.push(status);
        if (status === 429) break;
        await sleep(pauseMs);
      }
      return { passed: statuses.filter((s) => s !== 429).length, statuses };
    };
    const after = async (gateway: string, from: string, ms: number) => {
      await sleep(ms);
      return authAttempt(gateway, from);
    };

    // On one gateway: the limit, exactly.
    const one = await untilRefused('127.0.0.21', [a], 50);
    // Over on A: over on B once the counts are shared (within two sync intervals, documented).
    const onB = await after(b, '127.0.0.21', 2 * SYNC_MS + 500);
    // A client alternating between the gateways at a person's pace (one attempt every 300 ms)…
    const paced = await untilRefused('127.0.0.22', [a, b], 300);
    const pacedOther = await after(paced.statuses.length % 2 === 0 ? a : b, '127.0.0.22', 2 * SYNC_MS + 500);
    // …and as fast as it can: the auth limit is strict, so each copy counts at most its share of
    // what is left before it writes and reads back (under (2N−1)/N times the limit), then both refuse.
    const fast = await untilRefused('127.0.0.23', [a, b], 0);
    const fastLater = await Promise.all([a, b].map((g) => after(g, '127.0.0.23', 2 * SYNC_MS + 500)));
    const figures = {
      limit: AUTH_LIMIT,
      oneGateway: one.passed,
      overOnAThenB: onB.status,
      alternatingPaced: paced.passed,
      alternatingFast: fast.passed,
      fastThenBoth: fastLater.map((r) => r.status),
    };
    say(`rate limits across two gateways: ${JSON.stringify(figures)}`);

    expect(one.statuses.filter((s) => s >= 500)).toEqual([]);
    expect(one.passed).toBe(AUTH_LIMIT);
    expect(onB.status).toBe(429);
    expect(Number(onB.retryAfter)).toBeGreaterThan(0);
    // At a person's pace the other copy's counts are at most two intervals late: the limit, give
    // or take the attempts of those two seconds on the other gateway.
    const lag = Math.ceil((2 * SYNC_MS) / 300 / 2);
    expect(paced.passed).toBeGreaterThanOrEqual(AUTH_LIMIT);
    expect(paced.passed).toBeLessThanOrEqual(AUTH_LIMIT + lag);
    expect(pacedOther.status).toBe(429);
    expect(fast.passed).toBeGreaterThanOrEqual(AUTH_LIMIT);
    // A plain limit let 40 through here (each copy its whole limit before a sync).
    expect(fast.passed).toBeLessThanOrEqual(Math.floor((AUTH_LIMIT * (2 * COPIES.gateway - 1)) / COPIES.gateway));
    expect(fastLater.map((r) => r.status)).toEqual([429, 429]);
  });

  it('loses and doubles nothing when one copy of each service is killed during a burst', async () => {
    const workload = new Workload({ ...stack }, customer, agent, Date.now() + 4 * 60_000);
    const started = Date.now();
    const burst = workload.burst(ROUNDS, CLIENTS);
    for (const [name, copy, at] of KILLS) {
      await sleep(Math.max(0, started + at - Date.now()));
      stack.kill(name, copy);
      say(`killed ${name} copy ${copy + 1} at ${Date.now() - started} ms`);
    }
    await burst;
    say(`burst over at ${Date.now() - started} ms`);
    const report = await workload.audit('scale-out ×2', CUSTOMER);

    // Every email in the catcher, whoever it went to: one per recipient and event (a copy of a
    // notifications service sending what the other sent is a second Message-ID).
    type Caught = { to: Array<{ address: string }>; headers: Record<string, string | string[]> };
    const mails = (await (await fetch(`${stack.mailApi}/email`)).json()) as Caught[];
    const byRecipientAndEvent = new Map<string, Set<string>>();
    for (const m of mails) {
      const event = String(m.headers['x-woop-event-id'] ?? '');
      for (const { address } of m.to) {
        const ids = byRecipientAndEvent.get(`${address} ${event}`) ?? new Set<string>();
        byRecipientAndEvent.set(`${address} ${event}`, ids.add(String(m.headers['message-id'] ?? '')));
      }
    }
    for (const [recipientAndEvent, ids] of byRecipientAndEvent) {
      if (ids.size > 1) {
        report.duplicated++;
        report.defects.push(`${recipientAndEvent}: ${ids.size} emails`);
      }
    }
    reports.push(report);
    say(
      `${report.drill}: ${JSON.stringify({ ...report, emails: mails.length, defects: report.defects.slice(0, 10) })}`,
    );
    expect(report.defects).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, confirmed: report.attempted });
    expect(report.attempted).toBeGreaterThanOrEqual(ROUNDS * CLIENTS);
  });
});
