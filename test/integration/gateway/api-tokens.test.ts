import { createHash } from 'node:crypto';
import { REQUEST_TYPES } from '@woop/contracts';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { uniqueId } from '../../support/ids';
import { startNotifications } from '../../support/notifications-harness';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

interface Problem {
  code: string;
  status: number;
}
interface Token {
  tokenId: string;
  token: string;
  scopes: string[];
}

/**
 * API tokens (issue #23, finding 7) on the real identity, tickets and notifications services
 * behind the gateway: what a token may do is its scopes; only a session makes one; a password
 * change ends them; the portal's pages never take one. Every API answer is checked against the
 * OpenAPI document the gateway serves.
 */
describe('gateway: API tokens', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;

  beforeAll(async () => {
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([startIdentity(), startNotifications({ CONSUME: 'false' })]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
    });
    anonymous = await ApiClient.connect(gateway.origin);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  });

  const browser = async (email: string, password = DEMO_PASSWORD): Promise<ApiClient> => {
    const client = anonymous.fresh();
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    return client;
  };
  const makeToken = async (owner: ApiClient, body: Record<string, unknown> = {}) => {
    const made = await owner.post<Token>('/api-tokens', { name: uniqueId('script'), ...body });
    expect(made.status).toBe(201);
    return made.body;
  };
  const script = (token: string): ApiClient => {
    const client = anonymous.fresh();
    client.bearer = token;
    return client;
  };
  const fileRequest = (client: ApiClient) => {
    const type = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
    return client.post<Problem>('/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'Une question',
      description: 'Détails',
      fields: validFields(type),
    });
  };
  const page = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway.origin}${path}`, { redirect: 'manual', ...init });

  it('lets a token do what its scopes say: read is GET and HEAD, write the rest, beyond is 403 insufficient_scope', async () => {
    const claire = await browser('claire@enseigne.example'); // an organisation admin
    const me = (await claire.get<{ userId: string }>('/me')).body.userId;

    const reader = await makeToken(claire, { scopes: ['read'] });
    expect(reader.scopes).toEqual(['read']);
    const readOnly = script(reader.token);
    expect((await readOnly.get('/me')).status).toBe(200);
    expect((await readOnly.get('/tickets')).status).toBe(200);
    const head = await page('/api/v1/me', { method: 'HEAD', headers: { authorization: `Bearer ${reader.token}` } });
    expect(head.status).toBe(200);
    const refused = await fileRequest(readOnly);
    expect(refused.body).toMatchObject({ status: 403, code: 'insufficient_scope' });
    // RFC 6750 section 3: the challenge says what went wrong and which scope would do.
    const challenge = refused.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(
      /^Bearer realm="woop", error="insufficient_scope", error_description="[^"]+", scope="write"$/,
    );
    expect((await readOnly.patch<Problem>(`/users/${me}`, { locale: 'fr' })).body.code).toBe('insufficient_scope');
    expect((await readOnly.delete<Problem>(`/api-tokens/${reader.tokenId}`)).body.code).toBe('insufficient_scope');

    // Write does not include read: a till that files requests reads nothing of the organisation.
    const writer = await makeToken(claire, { scopes: ['write'] });
    const writeOnly = script(writer.token);
    const cannotRead = await writeOnly.get<Problem>('/tickets');
    expect(cannotRead.body).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(cannotRead.headers.get('www-authenticate')).toContain('scope="read"');
    expect((await fileRequest(writeOnly)).status).toBe(201);

    // Both when the body names none, as before tokens had scopes (scripts that made theirs then keep working).
    const both = await makeToken(claire);
    expect(both.scopes).toEqual(['read', 'write']);
    expect((await script(both.token).get('/me')).status).toBe(200);
    expect((await fileRequest(script(both.token))).status).toBe(201);

    // A token made before scopes (stored without any) may still do both, and is listed so.
    const legacy = `wpt_${uniqueId('legacy')}`;
    const legacyId = uniqueId('old');
    await identity.svc.models.ApiToken.create({
      _id: createHash('sha256').update(legacy).digest('hex'),
      tokenId: legacyId,
      userId: me,
      name: 'ancien script',
    });
    expect((await script(legacy).get('/me')).status).toBe(200);
    expect((await fileRequest(script(legacy))).status).toBe(201);
    const listed = await claire.get<{ items: Array<{ tokenId: string; scopes: string[] }> }>('/api-tokens');
    expect(Object.fromEntries(listed.body.items.map((t) => [t.tokenId, t.scopes]))).toMatchObject({
      [reader.tokenId]: ['read'],
      [writer.tokenId]: ['write'],
      [both.tokenId]: ['read', 'write'],
      [legacyId]: ['read', 'write'],
    });

    // Sessions have no scope.
    expect((await claire.patch(`/users/${me}`, { locale: 'fr' })).status).toBe(200);
    // An unknown scope or none is a 400.
    for (const scopes of [[], ['admin']]) {
      expect((await claire.post<Problem>('/api-tokens', { name: 'x', scopes })).body.code).toBe('validation_failed');
    }
  });

  it('makes tokens from a session only: a token may list and revoke, never make one', async () => {
    const paul = await browser('paul@woop.example');
    const made = await makeToken(paul);
    const bot = script(made.token);
    const minted = await bot.post<Problem>('/api-tokens', { name: 'successeur' });
    expect(minted.body).toMatchObject({ status: 403, code: 'session_required' });
    // Not even with the token planted in the session cookie (with the CSRF token it earns there).
    const cookie = `__Host-woop_session=${made.token}`;
    const csrf = await (await page('/api/v1/auth/csrf-token', { headers: { cookie } })).json();
    const viaCookie = await page('/api/v1/api-tokens', {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/json',
        'x-csrf-token': (csrf as { csrfToken: string }).csrfToken,
      },
      body: JSON.stringify({ name: 'successeur' }),
    });
    expect([viaCookie.status, ((await viaCookie.json()) as Problem).code]).toEqual([403, 'session_required']);
    const tokens = await paul.get<{ items: Array<{ name: string }> }>('/api-tokens');
    expect(tokens.body.items.map((t) => t.name)).not.toContain('successeur');

    // Listing is a read; a script that finds its token leaked may revoke it (a write).
    expect((await bot.get('/api-tokens')).status).toBe(200);
    expect((await bot.delete(`/api-tokens/${made.tokenId}`)).status).toBe(204);
    expect((await bot.get<Problem>('/me')).body.code).toBe('unauthenticated');
  });

  it('ends every API token of the account on a password change', async () => {
    const sarah = await browser('sarah@woop.example');
    const token = (await makeToken(sarah)).token;
    expect((await script(token).get('/me')).status).toBe(200);
    const changed = await sarah.post('/me/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'une phrase neuve et bien secrète',
    });
    expect(changed.status).toBe(200);
    expect((await script(token).get<Problem>('/me')).body).toMatchObject({ status: 401, code: 'unauthenticated' });
    // The session that made the change goes on, and may make a new token.
    expect((await sarah.get('/me')).status).toBe(200);
    expect((await script((await makeToken(sarah)).token).get('/me')).status).toBe(200);
  });

  it('opens no page with a bearer token, nor with one planted in the session cookie', async () => {
    const dora = await browser('dora@woop.example');
    const token = (await makeToken(dora)).token;
    const bearer = { authorization: `Bearer ${token}` };
    // The API takes it...
    expect((await script(token).get('/me')).status).toBe(200);
    // ...the pages do not: the visitor is anonymous, sent to log in.
    for (const path of ['/', '/profile', '/requests', '/agent']) {
      const res = await page(path, { headers: bearer });
      const login = path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, login]);
    }
    const planted = await page('/profile', { headers: { cookie: `__Host-woop_session=${token}` } });
    expect([planted.status, planted.headers.get('location')]).toEqual([303, '/login?next=%2Fprofile']);
    // Nor does a form take it (the page form that makes tokens, with no cookie and no CSRF token).
    const before = (await dora.get<{ items: unknown[] }>('/api-tokens')).body.items.length;
    const posted = await page('/profile/api-tokens', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'par la page', scopes: 'read' }).toString(),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toMatch(/^\/login/);
    expect((await dora.get<{ items: unknown[] }>('/api-tokens')).body.items).toHaveLength(before);
  });

  it('makes a token on the profile page with the scopes ticked, and lists them', async () => {
    const ines = await browser('ines@transports.example'); // an organisation admin
    const cookie = ines.cookieHeader();
    const form = await (await page('/profile', { headers: { cookie } })).text();
    // Read alone is ticked to begin with: the least a script needs.
    expect(form).toMatch(/<input type="checkbox" id="token-scope-read" name="scopes" value="read" checked/);
    expect(form).toMatch(/<input type="checkbox" id="token-scope-write" name="scopes" value="write" aria/);

    const post = (fields: Array<[string, string]>) =>
      page('/profile/api-tokens', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: gateway.origin },
        body: new URLSearchParams([...fields, ['_csrf', ines.csrfToken!]]).toString(),
      });
    const none = await post([['name', 'sans droit']]);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Cochez ce que le jeton peut faire : lire, écrire ou les deux.');
    const unknown = await post([
      ['name', 'trop de droits'],
      ['scopes', 'admin'],
    ]);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Cochez ce que le jeton peut faire : lire, écrire ou les deux.');

    const made = await post([
      ['name', 'suivi des demandes'],
      ['scopes', 'read'],
    ]);
    expect(made.status).toBe(201);
    const html = await made.text();
    const token = /id="new-token" type="text" readonly value="(wpt_[^"]+)"/.exec(html)?.[1];
    expect(token).toBeDefined();
    expect(html).toMatch(/<td>suivi des demandes<\/td><td class="token-scopes">Lire<\/td>/);
    expect((await script(token!).get('/me')).status).toBe(200);
    expect((await fileRequest(script(token!))).body.code).toBe('insufficient_scope');

    const both = await post([
      ['name', 'caisse'],
      ['scopes', 'read'],
      ['scopes', 'write'],
    ]);
    expect(both.status).toBe(201);
    expect(await both.text()).toMatch(/<td>caisse<\/td><td class="token-scopes">Lire, Écrire<\/td>/);
  });
});
