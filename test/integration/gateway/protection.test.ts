import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { closeServer, IDENTITY_HEADER, verifyRequest } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { uniqueId } from '../../support/ids';
import { startNotifications } from '../../support/notifications-harness';
import { freePort } from '../../support/processes';

interface Problem {
  code: string;
  status: number;
  requestId: string;
}

/**
 * A stand-in for the tickets service: records what the gateway sends it and answers the
 * catalogue with an empty list; `/v1/tickets/...` never answers (a hung service).
 */
async function fakeTickets() {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url?.startsWith('/v1/tickets/')) return; // hangs until the gateway gives up
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    seen,
    stop: () => {
      server.closeAllConnections();
      return closeServer(server);
    },
  };
}

describe('gateway: protection of the public entry', () => {
  let identity: RunningIdentity;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let tickets: Awaited<ReturnType<typeof fakeTickets>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;
  let notificationsStopped = false;

  beforeAll(async () => {
    [identity, notifications, tickets] = await Promise.all([
      startIdentity(),
      startNotifications({ CONSUME: 'false' }),
      fakeTickets(),
    ]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: tickets.origin,
      NOTIFICATIONS_URL: originOf(notifications.base),
      UPSTREAM_TIMEOUT_MS: '3000',
    });
    anonymous = await ApiClient.connect(gateway.origin);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), notificationsStopped || notifications?.stop(), tickets?.stop()]);
  });

  const login = async (client: ApiClient, email: string) => {
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    return client;
  };

  it('passes the services a signed identity, the request id and the client address, never a client-sent identity', async () => {
    const claire = await login(anonymous.fresh(), 'claire@enseigne.example');
    claire.ip = '198.51.100.7';
    const requestId = uniqueId('trace');
    const res = await claire.get('/catalogue', {
      headers: { 'x-request-id': requestId, [IDENTITY_HEADER]: 'forged.identity' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const received = tickets.seen.at(-1)!;
    expect(received['x-request-id']).toBe(requestId);
    // The client's address travels signed, with the caller; no unsigned copy for services to trust.
    const signed = verifyRequest(String(received[IDENTITY_HEADER]), identity.config.INTERNAL_AUTH_SECRET);
    expect(signed).toMatchObject({ identity: { userId: 'user-claire', role: 'customer' }, clientIp: '198.51.100.7' });
    expect(received['x-forwarded-for']).toBeUndefined();
    expect(received.cookie).toBeUndefined();
  });

  it('sets security headers and bounds request bodies', async () => {
    const res = await fetch(`${gateway.origin}/api/v1/openapi.json`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    const big = await anonymous.post<Problem>('/auth/login', { email: 'a@b.example', password: 'x'.repeat(300_000) });
    expect(big.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    const nowhere = await fetch(`${gateway.origin}/api/v1/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ code: 'not_found' });
  });

  it('refuses a change sent with the cookie from another site', async () => {
    const claire = await login(anonymous.fresh(), 'claire@enseigne.example');
    const res = await claire.post<Problem>('/auth/logout', undefined, { headers: { origin: 'https://evil.example' } });
    expect(res.body).toMatchObject({ status: 403, code: 'origin_not_allowed' });
    const login2 = await anonymous
      .fresh()
      .post<Problem>(
        '/auth/login',
        { email: 'claire@enseigne.example', password: DEMO_PASSWORD },
        { headers: { origin: 'https://evil.example' } },
      );
    expect(login2.body).toMatchObject({ status: 403, code: 'origin_not_allowed' });
    const sameSite = await claire.post('/auth/logout', undefined, { headers: { origin: gateway.origin } });
    expect(sameSite.status).toBe(204);
  });

  it('answers 503 with Retry-After when a service is too slow, without its address', async () => {
    const claire = await login(anonymous.fresh(), 'claire@enseigne.example');
    const res = await claire.get<Problem>('/tickets/SUPPORT-1');
    expect(res.body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONN|abort|timeout/i);
  });

  it('answers 503 with Retry-After when a service is stopped', async () => {
    const sarah = anonymous.fresh();
    await login(sarah, 'sarah@woop.example');
    expect((await sarah.get('/deliveries')).status).toBe(200);
    await notifications.stop();
    notificationsStopped = true;
    const res = await sarah.get<Problem>('/deliveries');
    expect(res.body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);

    // Without identity nobody can be authenticated: 503 as well, not 401 or 500.
    const noIdentity = await startGateway({ IDENTITY_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const down = await fetch(`${noIdentity.origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'claire@enseigne.example', password: DEMO_PASSWORD }),
      });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
    } finally {
      await noIdentity.stop();
    }
  });

  it('limits per IP (stricter on auth routes) and per user, in a store that outlives a gateway copy', async () => {
    const limits = {
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: tickets.origin,
      RATE_LIMIT_AUTH_PER_MINUTE: '3',
      RATE_LIMIT_USER_PER_MINUTE: '4',
      RATE_LIMIT_IP_PER_MINUTE: '1000',
      RATE_LIMIT_STORE_TIMEOUT_MS: '30000',
      MONGODB_DB: uniqueId('gateway_limits').replace(/-/g, '_'),
    };
    let copy = await startGateway(limits);
    try {
      const attacker = (await ApiClient.connect(copy.origin)).fresh();
      attacker.ip = '203.0.113.9';
      const attempt = () =>
        attacker.post<Problem>('/auth/login', { email: 'claire@enseigne.example', password: 'wrong-password-1' });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
      const limited = await attempt();
      expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

      const neighbour = attacker.fresh();
      neighbour.ip = '203.0.113.10';
      await login(neighbour, 'claire@enseigne.example');

      // Another copy (or this one restarted) shares the counters.
      await copy.stop({ keepDatabase: true });
      copy = await startGateway(limits);
      const again = (await ApiClient.connect(copy.origin)).fresh();
      again.ip = '203.0.113.9';
      expect((await again.post<Problem>('/auth/login', { email: 'x@y.example', password: 'z' })).status).toBe(429);

      // Per user: the same account from two addresses shares one budget.
      const user = (await ApiClient.connect(copy.origin)).fresh();
      user.ip = '203.0.113.20';
      await login(user, 'hugo@enseigne.example');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        user.ip = i % 2 ? '203.0.113.21' : '203.0.113.22';
        statuses.push((await user.get('/me')).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200]);
      const over = await user.get<Problem>('/me');
      expect(over.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(over.headers.get('retry-after')).not.toBeNull();
    } finally {
      await copy.stop();
    }
  });
});
