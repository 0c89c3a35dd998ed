import { createServer, request as httpRequest, type Server } from 'node:http';
import { closeServer } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { uniqueId } from '../../support/ids';
import { startNotifications } from '../../support/notifications-harness';

const MIB = 1024 * 1024;

/** A stand-in for the tickets service: an empty catalogue and lists; the pages here need no more. */
async function fakeTickets() {
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    stop: () => {
      server.closeAllConnections();
      return closeServer(server);
    },
  };
}

/**
 * Starts a multipart POST that announces `announced` bytes and sends only the first 64 KiB, then
 * waits for an answer. A server that reads the form before it decides waits for the rest (no
 * answer within `waitMs`: status 0); one that refuses first answers at once, having read almost
 * nothing of the body.
 */
function partialUpload(
  origin: string,
  path: string,
  headers: Record<string, string>,
  announced = 20 * MIB,
  waitMs = 5_000,
): Promise<{ status: number; location?: string; sent: number }> {
  const boundary = 'woopboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="big.png"\r\n` +
      'Content-Type: image/png\r\n\r\n',
  );
  const first = Buffer.concat([head, Buffer.alloc(64 * 1024, 0x61)]);
  return new Promise((resolve, reject) => {
    const url = new URL(path, origin);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(announced),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: 0, sent: first.length });
    }, waitMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location, sent: first.length });
    });
    req.on('error', (err) => {
      // Destroyed by us after the answer or the wait: already resolved.
      if (!(err as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(err);
    });
    req.write(first);
  });
}

/**
 * The pages' guards: uploads read only after the login and the limits, a flash message only the
 * gateway can write, and failed logins counted per address across the gateway's copies.
 */
describe('gateway: page guards', () => {
  let identity: RunningIdentity;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let tickets: Awaited<ReturnType<typeof fakeTickets>>;
  let gateways: RunningGateway[];
  let anonymous: ApiClient;

  beforeAll(async () => {
    [identity, notifications, tickets] = await Promise.all([
      startIdentity(),
      startNotifications({ CONSUME: 'false' }),
      fakeTickets(),
    ]);
    const env = {
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: tickets.origin,
      NOTIFICATIONS_URL: originOf(notifications.base),
    };
    // Two copies of the gateway on one identity service, as behind a load balancer.
    gateways = await Promise.all([startGateway(env), startGateway(env)]);
    anonymous = await ApiClient.connect(gateways[0]!.origin);
  }, 120_000);
  afterAll(async () => {
    await Promise.all((gateways ?? []).map((g) => g.stop()));
    await Promise.all([identity?.stop(), notifications?.stop(), tickets?.stop()]);
  });

  const login = async (email: string, gateway = 0) => {
    const client = gateway === 0 ? anonymous.fresh() : await ApiClient.connect(gateways[gateway]!.origin);
    client.ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    return client;
  };

  describe('page uploads (multipart, up to 25 MiB in memory)', () => {
    const ROUTES = ['/portal/retailer/create/ask-a-question', '/requests/SUPPORT-1/attachments'];

    it('refuses an anonymous post before reading its body', async () => {
      const origin = gateways[0]!.origin;
      for (const path of ROUTES) {
        const res = await partialUpload(origin, path, { origin });
        expect([path, res.status]).toEqual([path, 303]);
        expect(res.location).toMatch(/^\/login/);
        // A session cookie that is no session: the same.
        const stale = await partialUpload(origin, path, { origin, cookie: '__Host-woop_session=ended' });
        expect([path, stale.status]).toEqual([path, 303]);
      }
    });

    it("refuses a signed-in user's post from another site, and one over the rate limit, before reading it", async () => {
      const claire = await login('claire@enseigne.example');
      const origin = gateways[0]!.origin;
      for (const path of ROUTES) {
        const res = await partialUpload(origin, path, {
          cookie: claire.cookieHeader(),
          origin: 'https://evil.example',
        });
        expect([path, res.status]).toEqual([path, 403]);
      }
      // A gateway whose per-user limit this user has used up.
      const tight = await startGateway({
        IDENTITY_URL: originOf(identity.base),
        TICKETS_URL: tickets.origin,
        NOTIFICATIONS_URL: originOf(notifications.base),
        RATE_LIMIT_USER_PER_MINUTE: '1',
      });
      try {
        await fetch(`${tight.origin}/requests`, { headers: { cookie: claire.cookieHeader() } });
        const res = await partialUpload(tight.origin, ROUTES[1]!, {
          cookie: claire.cookieHeader(),
          origin: tight.origin,
        });
        expect(res.status).toBe(429);
      } finally {
        await tight.stop();
      }
    });
  });

  describe('the flash message', () => {
    const profile = (cookie: string) =>
      fetch(`${gateways[0]!.origin}/profile`, { headers: { cookie } }).then((r) => r.text());

    it('is a signed __Host- cookie; a message the gateway did not sign is not shown', async () => {
      const claire = await login('claire@enseigne.example');
      const saved = await fetch(`${gateways[0]!.origin}/profile`, {
        method: 'POST',
        headers: {
          cookie: claire.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
          origin: gateways[0]!.origin,
        },
        body: new URLSearchParams({ _csrf: claire.csrfToken!, fullName: 'Claire Martin', locale: 'fr' }).toString(),
        redirect: 'manual',
      });
      expect(saved.status).toBe(303);
      const set = saved.headers.getSetCookie().find((c) => c.includes('woop_flash='));
      expect(set).toMatch(/^__Host-woop_flash=[^;]+\.[^;]+;/);
      expect(set).toMatch(/; Path=\//);
      expect(set).toMatch(/; Secure/);
      expect(set).toMatch(/; HttpOnly/);
      expect(set).not.toMatch(/; Domain=/i);
      const flash = set!.split(';')[0]!;
      expect(await profile(`${claire.cookieHeader()}; ${flash}`)).toContain('Profil enregistré.');

      // What a page of another host (a sibling subdomain), a script or a proxy could set instead.
      const words = JSON.stringify([{ key: 'done.profile', params: {} }]);
      const payload = Buffer.from(words).toString('base64url');
      const signature = flash.slice(flash.lastIndexOf('.') + 1);
      const other = Buffer.from(JSON.stringify([{ key: 'done.password', params: {} }])).toString('base64url');
      for (const forged of [
        `woop_flash=${encodeURIComponent(words)}`,
        `__Host-woop_flash=${encodeURIComponent(words)}`,
        `__Host-woop_flash=${payload}`,
        `__Host-woop_flash=${payload}.${'A'.repeat(43)}`,
        `__Host-woop_flash=${other}.${signature}`,
      ]) {
        const page = await profile(`${claire.cookieHeader()}; ${forged}`);
        expect([forged, page.includes('Profil enregistré.') || page.includes('Mot de passe changé')]).toEqual([
          forged,
          false,
        ]);
      }
    });
  });

  describe('failed logins per address', () => {
    const attempt = (email: string, password: string, ip: string, gateway: number) =>
      fetch(`${gateways[gateway]!.origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ email, password }),
      });
    /** Twenty wrong passwords for `email` (its limit), each from another IP, across both gateways. */
    const failAll = async (email: string) => {
      for (let i = 0; i < 20; i++) {
        const res = await attempt(email, 'not the password', `203.0.113.${i + 1}`, i % 2);
        expect(res.status).toBe(401);
      }
    };

    it('refuses an address after 20 failures from anywhere, even with the right password, on both gateways', async () => {
      await failAll('Hugo@Enseigne.example');
      for (const gateway of [0, 1]) {
        const client = (await ApiClient.connect(gateways[gateway]!.origin)).fresh();
        client.ip = `203.0.113.${100 + gateway}`;
        const res = await client.post<{ code: string }>('/auth/login', {
          email: 'HUGO@enseigne.example',
          password: DEMO_PASSWORD,
        });
        expect(res.status).toBe(429);
        expect(res.body.code).toBe('too_many_failed_logins');
        const wait = Number(res.headers.get('retry-after'));
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(15 * 60); // time-boxed
      }
      // The page says it in the user's language.
      const page = await fetch(`${gateways[1]!.origin}/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: gateways[1]!.origin,
          'x-forwarded-for': '203.0.113.120',
        },
        body: new URLSearchParams({ email: 'hugo@enseigne.example', password: DEMO_PASSWORD }).toString(),
        redirect: 'manual',
      });
      expect(page.status).toBe(429);
      expect(await page.text()).toContain('Trop de connexions échouées pour cette adresse');
      // Other accounts are not concerned.
      expect((await attempt('claire@enseigne.example', DEMO_PASSWORD, '203.0.113.1', 0)).status).toBe(200);
    });

    it('answers an address without an account the same way (nothing says which exist)', async () => {
      const nobody = `${uniqueId('nobody')}@enseigne.example`;
      await failAll(nobody);
      const res = await attempt(nobody, DEMO_PASSWORD, '203.0.113.200', 1);
      expect(res.status).toBe(429);
      const body = (await res.json()) as { code: string; title: string; detail: string };
      const known = await attempt('hugo@enseigne.example', 'whatever', '203.0.113.201', 0);
      const knownBody = (await known.json()) as { code: string; title: string; detail: string };
      expect(known.status).toBe(429);
      expect({ code: body.code, title: body.title, detail: body.detail }).toEqual({
        code: knownBody.code,
        title: knownBody.title,
        detail: knownBody.detail,
      });
    });
  });
});
