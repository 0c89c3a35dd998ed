import { networkInterfaces } from 'node:os';
import type { Server } from 'node:http';
import { closeServer, createLogger, createServiceApp, listen } from '@woop/service-kit';
import { Collection } from 'mongodb';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** This machine's first non-loopback IPv4 address, if it has one. */
const lanAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const WRITES = [
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'bulkWrite',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
] as const;

/** Counts the write commands the driver sends, per database, while `during` runs. */
async function countWrites(during: () => Promise<void>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const proto = Collection.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = WRITES.map((name) => [name, proto[name]!] as const);
  for (const [name, original] of originals) {
    proto[name] = function (this: Collection, ...args: unknown[]) {
      counts[this.dbName] = (counts[this.dbName] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
  try {
    await during();
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  return counts;
}

describe('gateway: rate limits without a database write per request, per client address', () => {
  let identity: RunningIdentity;
  let identityLan: Server | undefined;
  let gateway: RunningGateway;

  beforeAll(async () => {
    identity = await startIdentity();
    // As in docker-compose, the gateway reaches identity from an address that is not loopback
    // (when the machine has one): identity must not take the gateway's address for the client's.
    const lan = lanAddress();
    let identityUrl = new URL(identity.base).origin;
    if (lan) {
      const app = createServiceApp({
        logger,
        readiness: [],
        readinessTimeoutMs: 2_000,
        routes: identity.svc.parts.routes,
      });
      identityLan = await listen(app, lan, 0);
      const address = identityLan.address();
      identityUrl = `http://${lan}:${typeof address === 'object' && address ? address.port : 0}`;
    }
    gateway = await startGateway({ IDENTITY_URL: identityUrl });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    if (identityLan) await closeServer(identityLan);
    await identity?.stop();
  });

  it('makes a handful of database writes for 100 requests, not one or two per request', async () => {
    const client = (await ApiClient.connect(gateway.origin)).fresh();
    client.ip = '203.0.113.70';
    const login = await client.post<{ csrfToken: string }>('/auth/login', {
      email: 'claire@enseigne.example',
      password: DEMO_PASSWORD,
    });
    expect(login.status).toBe(200);
    let elapsedMs = 0;
    const writes = await countWrites(async () => {
      const start = Date.now();
      // Each counts against the per-IP and the per-user limits.
      for (let i = 0; i < 100; i++) expect((await client.get('/me')).status).toBe(200);
      elapsedMs = Date.now() - start;
      await new Promise((r) => setTimeout(r, 1_500)); // the last sync
    });
    const gatewayWrites = writes[gateway.config.MONGODB_DB] ?? 0;
    process.stdout.write(`100 requests through the gateway in ${elapsedMs} ms: ${gatewayWrites} database writes\n`);
    // One bulk write per sync interval at most (plus the last one), whatever the traffic.
    expect(gatewayWrites).toBeGreaterThan(0);
    expect(gatewayWrites).toBeLessThanOrEqual(Math.ceil((elapsedMs + 1_500) / 1_000) + 1);
    // The counts are in the database, for the other copies and the next start.
    const stored = await gateway.svc.mongo.connection
      .collection('rate_limit_counts')
      .find({ k: { $in: ['gw-ip:203.0.113.70', 'gw-user:user-claire'] } })
      .toArray();
    // Summed over windows: the requests may straddle a minute. The login counted per IP too.
    const total = (key: string) => stored.filter((d) => d.k === key).reduce((sum, d) => sum + (d.c as number), 0);
    expect([total('gw-ip:203.0.113.70'), total('gw-user:user-claire')]).toEqual([101, 100]);
  }, 180_000);

  it("limits identity's login failures per client address, as the gateway signed it", async () => {
    const email = 'hugo@enseigne.example';
    const from = async (ip: string) => {
      const client = (await ApiClient.connect(gateway.origin)).fresh();
      client.ip = ip;
      return client;
    };
    const attacker = await from('203.0.113.80');
    const failures: number[] = [];
    for (let i = 0; i < 11; i++) {
      failures.push((await attacker.post('/auth/login', { email, password: `wrong-password-${i}` })).status);
    }
    expect(failures).toEqual([...Array<number>(10).fill(401), 429]);

    // Another client at the same address shares the attacker's count, even with the password…
    const neighbour = await from('203.0.113.80');
    expect((await neighbour.post('/auth/login', { email, password: DEMO_PASSWORD })).status).toBe(429);
    // …another address does not.
    const owner = await from('203.0.113.81');
    expect((await owner.post('/auth/login', { email, password: 'wrong-password-x' })).status).toBe(401);
    expect((await owner.post('/auth/login', { email, password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('never takes the client address from an unsigned X-Forwarded-For', async () => {
    const email = 'claire@enseigne.example';
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      // Straight to identity, bypassing the gateway, a new made-up address each time.
      const res = await fetch(`${identity.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}` },
        body: JSON.stringify({ email, password: `wrong-password-${i}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
  });
});
