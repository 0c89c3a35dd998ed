import { REQUEST_TYPES, TOPICS } from '@woop/contracts';
import { createKafka, createLogger, IDENTITY_HEADER, signIdentity } from '@woop/service-kit';
import { formatDate } from '../../../services/gateway/src/pages/i18n';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { eventually } from '../../support/eventually';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { uniqueId } from '../../support/ids';
import { linkTokenOf } from '../../support/links';
import { readEvents } from '../../support/kafka-events';
import { freePort } from '../../support/processes';
import { startNotifications } from '../../support/notifications-harness';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka('gateway-test', brokers, createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent'));

interface TicketView {
  ticket: { reference: string; status: string; activity: Array<{ kind: string; body?: string }> };
  allowed: string[];
}
interface Problem {
  code: string;
  status: number;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
}

/**
 * The public API end to end, through the gateway, on the real identity, tickets and
 * notifications services (Temporal, FerretDB, Kafka): every answer is checked against the
 * OpenAPI document the gateway serves (see ApiClient).
 */
describe('gateway: the public API walked through by its clients', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;

  beforeAll(async () => {
    // Tickets first: it learns people from the user.* events identity's seed publishes.
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

  /** A browser session: logs in, keeps the cookies and the CSRF token. */
  const browser = async (email: string): Promise<ApiClient> => {
    const client = anonymous.fresh();
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    return client;
  };
  /** A script: an API token made by its owner, sent as a bearer token, no cookies. */
  const script = async (email: string): Promise<ApiClient> => {
    const owner = await browser(email);
    const created = await owner.post<{ token: string }>('/api-tokens', { name: uniqueId('script') });
    expect(created.status).toBe(201);
    const client = anonymous.fresh();
    client.bearer = created.body.token;
    return client;
  };
  const fileRequest = async (client: ApiClient, requestType: string, headers: Record<string, string> = {}) => {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    return client.post<TicketView>(
      '/tickets',
      {
        requestType,
        portal: 'retailer',
        summary: `Résumé ${requestType}`,
        description: 'Détails',
        fields: validFields(type),
      },
      { headers },
    );
  };

  it('serves its OpenAPI 3.1 document and the interactive docs page from its own assets', async () => {
    const doc = (await (await fetch(`${gateway.origin}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operations).toEqual(
      expect.arrayContaining([
        'signUp',
        'logIn',
        'createTicket',
        'listTickets',
        'ticketActionQualify',
        'ticketActionAcceptResolution',
        'getQueue',
        'listDeliveries',
      ]),
    );
    const page = await fetch(`${gateway.origin}/api/v1/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const asset of html.match(/(?<=(?:src|href)=")[^"]+/g) ?? []) {
      expect(asset.startsWith('/api/v1/docs/')).toBe(true);
      expect((await fetch(`${gateway.origin}${asset}`)).status).toBe(200);
    }
  });

  it('signs up by email link, logs in with a __Host- session cookie, and logs out', async () => {
    const email = `${uniqueId('walk')}@enseigne.example`;
    const client = anonymous.fresh();
    expect((await client.post('/auth/signup', { email })).status).toBe(202);
    const [event] = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) => e.type === 'user.signup_requested' && e.data.email === email,
      (es) => es.length > 0,
    );
    const token = linkTokenOf(event!);
    const done = await client.post<{ csrfToken: string; identity: { role: string } }>('/auth/signup/complete', {
      token,
      fullName: 'Marcheuse Test',
      password: 'un cheval correct agrafe',
    });
    expect(done.status).toBe(201);
    expect(done.body.identity.role).toBe('customer');
    expect(done.text).not.toContain('wps_'); // the session token stays in its HttpOnly cookie
    const session = client.setCookies.find((c) => c.startsWith('__Host-woop_session='))!;
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/Domain=/i);
    client.csrfToken = done.body.csrfToken;
    expect((await client.get<{ email: string }>('/me')).body.email).toBe(email);

    expect((await client.post('/auth/logout', undefined, { withoutCsrf: true })).status).toBe(403);
    expect((await client.post('/auth/logout')).status).toBe(204);
    expect(client.hasSession).toBe(false);
    expect((await client.get('/me')).status).toBe(401);

    const again = await client.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: 'un cheval correct agrafe',
    });
    expect(again.status).toBe(200);
    expect((await client.get('/me')).status).toBe(200);
    const wrong = await anonymous.fresh().post<Problem>('/auth/login', { email, password: 'pas le bon mot de passe' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
  });

  it('rotates the session at login (the one held before ends), refuses changes without CSRF, ends it at logout', async () => {
    const client = await browser('hugo@enseigne.example');
    const held = client.cookieHeader();
    const me = () => fetch(`${gateway.origin}/api/v1/me`, { headers: { cookie: held } });
    expect((await me()).status).toBe(200);

    // The same browser logs in again (as someone else): a new session, and the old one ends.
    const again = await client.post<{ csrfToken: string }>('/auth/login', {
      email: 'claire@enseigne.example',
      password: DEMO_PASSWORD,
    });
    expect(again.status).toBe(200);
    expect(client.cookieHeader()).not.toBe(held);
    expect((await me()).status).toBe(401);
    client.csrfToken = again.body.csrfToken;
    expect((await client.get<{ email: string }>('/me')).body.email).toBe('claire@enseigne.example');
    // The portal's login page does the same.
    const pageLogin = await fetch(`${gateway.origin}/login`, {
      method: 'POST',
      headers: {
        cookie: client.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: gateway.origin,
      },
      body: new URLSearchParams({
        email: 'hugo@enseigne.example',
        password: DEMO_PASSWORD,
        _csrf: client.csrfToken, // signed in: the form carries the session's token
      }).toString(),
      redirect: 'manual',
    });
    expect(pageLogin.status).toBe(303);
    // (the client still holds claire's cookie, which that login ended)
    expect((await fetch(`${gateway.origin}/api/v1/me`, { headers: { cookie: client.cookieHeader() } })).status).toBe(
      401,
    );

    // A change made with the cookie but without its CSRF token is refused.
    const fresh = await browser('claire@enseigne.example');
    const refused = await fresh.post<Problem>('/api-tokens', { name: 'x' }, { withoutCsrf: true });
    expect(refused.body).toMatchObject({ status: 403, code: 'csrf_failed' });
    expect((await fresh.post('/auth/logout')).status).toBe(204);
    expect((await fresh.get('/me')).status).toBe(401);
  });

  it('creates every request type through the gateway, once per Idempotency-Key', async () => {
    const claire = await browser('claire@enseigne.example');
    for (const type of REQUEST_TYPES) {
      const res = await fileRequest(claire, type.key);
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/v1/tickets/${res.body.ticket.reference}`);
      expect((await claire.get(res.headers.get('location')!.slice('/api/v1'.length))).status).toBe(200);
    }
    const key = { 'Idempotency-Key': uniqueId('create') };
    const first = await fileRequest(claire, 'ask-a-question', key);
    const retried = await fileRequest(claire, 'ask-a-question', key);
    expect(retried.body.ticket.reference).toBe(first.body.ticket.reference);
    const badKey = await fileRequest(claire, 'ask-a-question', { 'Idempotency-Key': 'no' });
    expect(badKey).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('answers bad input with a 400 problem+json naming each field, with the request id', async () => {
    const claire = await browser('claire@enseigne.example');
    const requestId = uniqueId('req');
    const missing = await claire.post<Problem>(
      '/tickets',
      { portal: 'nowhere' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ code: 'validation_failed', requestId });
    expect(missing.body.errors!.map((e) => e.path).sort()).toEqual(['portal', 'requestType']);
    expect(missing.headers.get('x-request-id')).toBe(requestId);

    // The service's own check of the request type's form passes through, with its field errors.
    const type = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
    const fields = validFields(type);
    const required = type.fields.find((f) => f.required)!.key;
    delete fields[required];
    const form = await claire.post<Problem>('/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'x',
      fields,
    });
    expect(form.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(form.body.errors!.map((e) => e.path)).toEqual([`fields.${required}`]);

    const malformed = await claire.post<Problem>('/tickets', '{"requestType":', {});
    expect(malformed.body).toMatchObject({ status: 400, code: 'malformed_json' });
    const notJson = await claire.post<Problem>('/tickets', 'requestType=x', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.body).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    const badReference = await claire.get<Problem>('/tickets/not-a-reference');
    expect(badReference.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify([missing.body, form.body, malformed.body])).not.toMatch(/127\.0\.0\.1|at .*\.ts|stack/);
  });

  it('refuses the unauthenticated (401) and hides what a caller may not see (404)', async () => {
    const claire = await browser('claire@enseigne.example');
    const normal = (await fileRequest(claire, 'ask-a-question')).body.ticket.reference;
    const secret = (await fileRequest(claire, 'report-a-vulnerability')).body.ticket.reference;

    expect((await anonymous.get<Problem>(`/tickets/${normal}`)).body).toMatchObject({ code: 'unauthenticated' });
    // A client cannot pass an identity of its own, even one signed with the right secret.
    const forged = signIdentity(
      { userId: 'user-claire', role: 'admin', name: 'x', email: 'x@x', orgAdmin: false, teams: [], locale: 'fr' },
      identity.config.INTERNAL_AUTH_SECRET,
    );
    const withForged = await anonymous.get<Problem>(`/tickets/${normal}`, { headers: { [IDENTITY_HEADER]: forged } });
    expect(withForged.status).toBe(401);
    const badBearer = anonymous.fresh();
    badBearer.bearer = 'wpt_not-a-real-token';
    expect((await badBearer.get('/me')).status).toBe(401);

    const ines = await browser('ines@transports.example');
    expect((await ines.get<Problem>(`/tickets/${normal}`)).body).toMatchObject({
      status: 404,
      code: 'ticket_not_found',
    });
    const hugo = await browser('hugo@enseigne.example');
    expect((await hugo.get(`/tickets/${normal}`)).status).toBe(200);
    expect((await hugo.get(`/tickets/${secret}`)).status).toBe(404);
    const paul = await script('paul@woop.example');
    expect((await paul.get(`/tickets/${secret}`)).status).toBe(404);
    const sarah = await script('sarah@woop.example');
    expect((await sarah.get(`/tickets/${secret}`)).status).toBe(200);
    expect((await ines.put(`/tickets/${normal}/notifications`, { enabled: false })).status).toBe(404);
  });

  it('walks a request from filing to the customer validating the answer', async () => {
    const claire = await browser('claire@enseigne.example');
    const paul = await script('paul@woop.example'); // bearer: no CSRF token needed
    const { reference } = (await fileRequest(claire, 'report-a-bug')).body.ticket;

    const refused = await claire.post<Problem>(`/tickets/${reference}/actions/qualify`, {
      payload: { priority: 'high', billable: false },
    });
    expect(refused.body).toMatchObject({ status: 409, code: 'role_not_allowed' });
    expect(refused.headers.get('x-allowed-actions')).toBe('comment,share,attach');
    expect(
      (await claire.post(`/tickets/${reference}/comments`, { body: 'Précision' }, { withoutCsrf: true })).status,
    ).toBe(403);
    expect((await claire.post(`/tickets/${reference}/comments`, { body: 'Une précision' })).status).toBe(200);

    const act = async (who: ApiClient, action: string, payload: Record<string, unknown> = {}) => {
      const res = await who.post<TicketView>(`/tickets/${reference}/actions/${action}`, { payload });
      expect(res.status).toBe(200);
      return res.body;
    };
    // Each action's body is documented and checked with its own payload schema (the contract's).
    const invalid = await paul.post<Problem>(`/tickets/${reference}/actions/qualify`, {
      payload: { priority: 'urgent', billable: false },
    });
    expect(invalid.body).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [{ path: 'payload.priority' }],
    });
    await act(paul, 'qualify', { priority: 'high', billable: false, assignment: { agentId: 'user-paul' } });
    await act(paul, 'start');
    const noted = await paul.post<TicketView>(`/tickets/${reference}/comments`, {
      body: 'Note interne',
      internal: true,
    });
    expect(noted.body.ticket.activity.some((e) => e.kind === 'internal_note')).toBe(true);
    expect((await act(paul, 'resolve', { answer: 'Corrigé en production.' })).ticket.status).toBe('resolved');

    const seen = await claire.get<{ ticket: TicketView['ticket'] }>(`/tickets/${reference}`);
    expect(seen.body.ticket.activity.some((e) => e.kind === 'internal_note')).toBe(false);
    expect(seen.body.ticket.activity.some((e) => e.body === 'Une précision')).toBe(true);
    const accepted = await act(claire, 'acceptResolution');
    expect(accepted.ticket.status).toBe('done');
    expect(accepted.allowed).toContain('reopen');

    // "Notifications activées", per user and request, behind the ticket's own access check.
    expect((await claire.get(`/tickets/${reference}/notifications`)).body).toEqual({ reference, enabled: true });
    expect((await claire.put(`/tickets/${reference}/notifications`, { enabled: false })).body).toEqual({
      reference,
      enabled: false,
    });
    expect((await claire.get(`/tickets/${reference}/notifications`)).body).toEqual({ reference, enabled: false });
    // The detail page shows the same toggle, for this user only.
    expect((await claire.get(`/tickets/${reference}`)).body).toMatchObject({ notifications: { enabled: false } });
    expect((await paul.get(`/tickets/${reference}`)).body).toMatchObject({ notifications: { enabled: true } });
    // The delivery log is the agents'.
    expect((await paul.get(`/deliveries?reference=${reference}`)).status).toBe(200);
    expect((await claire.get<Problem>('/deliveries')).body).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it("leaves a request's fate to its requester: a colleague's page offers no decision, and one sent is refused", async () => {
    const claire = await browser('claire@enseigne.example');
    const hugo = await browser('hugo@enseigne.example'); // same organisation, not shared with
    const paul = await script('paul@woop.example');
    const { reference } = (await fileRequest(claire, 'ask-a-question')).body.ticket;
    for (const [action, payload] of [
      ['qualify', { priority: 'medium', billable: false, assignment: { agentId: 'user-paul' } }],
      ['start', {}],
      ['resolve', { answer: 'Voilà.' }],
    ] as const) {
      expect((await paul.post(`/tickets/${reference}/actions/${action}`, { payload })).status).toBe(200);
    }
    const page = async (who: ApiClient, path = '') =>
      fetch(`${gateway.origin}/requests/${reference}${path}`, { headers: { cookie: who.cookieHeader() } });
    const decision = `/requests/${reference}/actions/acceptResolution`;
    expect(await (await page(claire)).text()).toContain(decision);
    // Without an email's action either, his page says who decides.
    expect(await (await page(hugo)).text()).toContain('id="decided-by-requester"');
    expect(await (await page(claire)).text()).not.toContain('id="decided-by-requester"');
    const colleague = await (await page(hugo, '?action=acceptResolution')).text();
    expect(colleague).not.toContain(decision);
    expect(colleague).not.toContain(`/requests/${reference}/actions/rejectResolution`);
    expect(colleague).toContain(`/requests/${reference}/comment`); // he reads and comments
    expect(colleague).toContain('Seuls le demandeur et les personnes avec qui il a partagé la demande');

    // The form sent anyway (an old page, a hand-made request): refused, with the same sentence.
    const sent = await fetch(`${gateway.origin}${decision}`, {
      method: 'POST',
      headers: {
        cookie: hugo.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: gateway.origin,
      },
      body: new URLSearchParams({ _csrf: hugo.csrfToken! }).toString(),
      redirect: 'manual',
    });
    expect(sent.status).toBe(409);
    expect(await sent.text()).toContain('Seuls le demandeur et les personnes avec qui il a partagé la demande');
    const api = await hugo.post<Problem>(`/tickets/${reference}/actions/acceptResolution`, { payload: {} });
    expect(api.body).toMatchObject({ status: 409, code: 'role_not_allowed' });
    expect((await claire.get<TicketView>(`/tickets/${reference}`)).body.ticket.status).toBe('resolved');
  });

  it("serves a request's page while the notifications service is down, without its toggle", async () => {
    const claire = await browser('claire@enseigne.example');
    const { reference } = (await fileRequest(claire, 'ask-a-question')).body.ticket;
    const noNotifications = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: `http://127.0.0.1:${await freePort()}`,
    });
    try {
      const copy = await ApiClient.connect(noNotifications.origin);
      const session = copy.fresh();
      const login = await session.post<{ csrfToken: string }>('/auth/login', {
        email: 'claire@enseigne.example',
        password: DEMO_PASSWORD,
      });
      expect(login.status).toBe(200);
      const page = await session.get<{ notifications: unknown; ticket: { reference: string } }>(
        `/tickets/${reference}`,
      );
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ ticket: { reference }, notifications: null });
      expect((await session.get(`/tickets/${reference}/notifications`)).status).toBe(503);
    } finally {
      await noNotifications.stop();
    }
  });

  it('serves the catalogue, organisations and users', async () => {
    const claire = await browser('claire@enseigne.example');
    const catalogue = await claire.get<{ items: unknown[] }>('/catalogue?portal=carrier');
    expect(catalogue.body.items).toHaveLength(10);
    expect((await claire.get('/catalogue?portal=elsewhere')).status).toBe(400);
    expect((await claire.get<{ items: unknown[] }>('/organizations')).body.items).toHaveLength(1);

    const admin = await browser('admin@woop.example');
    const email = `${uniqueId('invited')}@enseigne.example`;
    const invited = await admin.post<{ userId: string }>('/users', {
      email,
      role: 'customer',
      organizationId: 'org-enseigne-demo',
      fullName: 'Invitée Test',
    });
    expect(invited.status).toBe(201);
    expect(invited.headers.get('location')).toBe(`/api/v1/users/${invited.body.userId}`);
    const userPath = `/users/${invited.body.userId}`;
    expect((await admin.patch(userPath, { locale: 'en' })).body).toMatchObject({ locale: 'en' });
    expect((await admin.patch<Problem>(userPath, {})).body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await admin.get<{ items: unknown[] }>('/users?organizationId=org-enseigne-demo')).status).toBe(200);
    expect((await claire.get(userPath)).status).toBe(200);
    expect((await anonymous.fresh().get('/users')).status).toBe(401);
    expect((await claire.post(`${userPath}/erase`)).status).toBe(403);
    expect((await admin.post(`${userPath}/erase`)).status).toBe(204);
    expect((await admin.get('/organizations/nowhere')).status).toBe(404);
  });

  /** Signs `email` up through the emailed link; a browser session of the new account. */
  const signUp = async (email: string, locale: 'fr' | 'en' = 'fr') => {
    const client = anonymous.fresh();
    expect((await client.post('/auth/signup', { email, locale })).status).toBe(202);
    const [event] = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) => e.type === 'user.signup_requested' && e.data.email === email,
      (es) => es.length > 0,
    );
    const token = linkTokenOf(event!);
    const done = await client.post<{
      csrfToken: string;
      identity: { userId: string; locale: string; organizationId?: string };
    }>('/auth/signup/complete', { token, fullName: 'Alex Libre', password: 'un cheval correct agrafe' });
    expect(done.status).toBe(201);
    client.csrfToken = done.body.csrfToken;
    return { client, identity: done.body.identity };
  };

  it('lets anyone sign up: a customer of no organisation files and follows requests until an agent attaches them', async () => {
    const { client: alex, identity } = await signUp(`${uniqueId('libre')}@independant.example`, 'en');
    expect(identity.locale).toBe('en');
    expect(identity).not.toHaveProperty('organizationId');
    const before = await fileRequest(alex, 'ask-a-question');
    expect(before.status).toBe(201);
    const older = before.body.ticket.reference;
    const mine = await alex.get<{ items: Array<{ reference: string }> }>('/tickets?status=all');
    expect(mine.body.items.map((i) => i.reference)).toEqual([older]);
    const claire = await browser('claire@enseigne.example');
    expect((await claire.get(`/tickets/${older}`)).status).toBe(404);
    const share = await alex.post<Problem>(`/tickets/${older}/share`, { userIds: ['user-hugo'] });
    expect(share.body).toMatchObject({ status: 409, code: 'ticket_without_organization' });

    const paul = await script('paul@woop.example');
    expect((await paul.get(`/tickets/${older}`)).status).toBe(200);
    const waiting = await paul.get<{ items: Array<{ userId: string }> }>('/users?withoutOrganization=true');
    expect(waiting.body.items.map((u) => u.userId)).toContain(identity.userId);
    const attached = await paul.patch(`/users/${identity.userId}`, { organizationId: 'org-enseigne-demo' });
    expect(attached.body).toMatchObject({ organizationId: 'org-enseigne-demo' });

    // The same session files the next request in the organisation; the older one stays Alex's.
    const newer = (await fileRequest(alex, 'ask-a-question')).body.ticket.reference;
    const hugo = await browser('hugo@enseigne.example');
    expect((await hugo.get(`/tickets/${newer}`)).status).toBe(200);
    expect((await hugo.get(`/tickets/${older}`)).status).toBe(404);
    // The tickets service learnt the organisation from identity's user.updated: colleagues may share.
    const claires = (await fileRequest(claire, 'ask-a-question')).body.ticket.reference;
    const shared = await eventually(
      () => claire.post<TicketView>(`/tickets/${claires}/share`, { userIds: [identity.userId] }),
      (r) => r.status !== 400,
    );
    expect(shared.status).toBe(200);
  });

  it('changes a password (this session stays, the others end); org admins script with tokens; admins edit organisations', async () => {
    const email = `${uniqueId('change')}@independant.example`;
    const { client: here } = await signUp(email);
    const elsewhere = anonymous.fresh();
    expect((await elsewhere.post('/auth/login', { email, password: 'un cheval correct agrafe' })).status).toBe(200);
    const wrong = await here.post<Problem>('/me/password', {
      currentPassword: 'pas le bon mot de passe',
      newPassword: 'une autre phrase secrète',
    });
    expect(wrong.body).toMatchObject({ status: 400, code: 'invalid_current_password' });
    expect(wrong.body.errors?.map((e) => e.path)).toEqual(['currentPassword']);
    const changed = await here.post('/me/password', {
      currentPassword: 'un cheval correct agrafe',
      newPassword: 'une autre phrase secrète',
    });
    expect(changed).toMatchObject({ status: 200, body: { status: 'password_changed' } });
    expect((await here.get('/me')).status).toBe(200);
    expect((await elsewhere.get('/me')).status).toBe(401);

    // A retailer's own system files requests with its organisation admin's token.
    const claire = await browser('claire@enseigne.example');
    const made = await claire.post<{ tokenId: string; token: string }>('/api-tokens', { name: uniqueId('caisse') });
    expect(made.status).toBe(201);
    const system = anonymous.fresh();
    system.bearer = made.body.token;
    expect((await fileRequest(system, 'ask-a-question')).status).toBe(201);
    const tokens = await claire.get<{ items: Array<{ tokenId: string }> }>('/api-tokens');
    expect(tokens.body.items.find((t) => t.tokenId === made.body.tokenId)).toMatchObject({
      revoked: false,
      lastUsedAt: expect.any(String),
    });
    expect(tokens.text).not.toContain(made.body.token);
    // The profile page tells when each token stops working (in 90 days) and what ends it sooner.
    const listed = tokens.body.items.find((t) => t.tokenId === made.body.tokenId) as unknown as { expiresAt: string };
    const expires = formatDate(listed.expiresAt, 'fr');
    expect(Date.parse(listed.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    const profile = await (
      await fetch(`${gateway.origin}/profile`, { headers: { cookie: claire.cookieHeader() } })
    ).text();
    expect(profile).toContain('<th scope="col">Expire le</th>');
    expect(profile).toContain(expires);
    expect(profile).toContain('votre rôle changé');
    const hugo = await browser('hugo@enseigne.example');
    expect((await hugo.post<Problem>('/api-tokens', { name: 'x' })).body).toMatchObject({
      status: 403,
      code: 'forbidden',
    });

    const admin = await browser('admin@woop.example');
    const org = await admin.post<{ organizationId: string }>('/organizations', {
      name: uniqueId('Enseigne'),
      kind: 'retailer',
    });
    const path = `/organizations/${org.body.organizationId}`;
    const name = uniqueId('Renommée');
    expect((await admin.patch(path, { name, emailDomains: ['renommee.example'] })).body).toMatchObject({
      name,
      emailDomains: ['renommee.example'],
    });
    expect((await admin.patch<Problem>(path, { name: 'Enseigne Démo' })).body).toMatchObject({
      status: 409,
      code: 'organization_exists',
    });
    expect((await claire.patch('/organizations/org-enseigne-demo', { name: 'X' })).status).toBe(403);
  });

  describe('lists, queues, sharing, attachments and the catalogue', () => {
    it('lists and filters the "Demandes"', async () => {
      const claire = await browser('claire@enseigne.example');
      const { reference } = (await fileRequest(claire, 'ask-a-question')).body.ticket;
      const page = await claire.get<{ items: Array<{ reference: string }>; nextCursor: string | null }>(
        '/tickets?scope=created&status=open&requestType=ask-a-question&limit=2',
      );
      expect(page.status).toBe(200);
      expect(page.body.items[0]?.reference).toBe(reference);
      if (page.body.nextCursor) {
        const next = await claire.get(
          `/tickets?scope=created&status=open&requestType=ask-a-question&limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`,
        );
        expect(next.status).toBe(200);
      }
      expect((await claire.get(`/tickets?q=${encodeURIComponent('Résumé ask-a-question')}`)).status).toBe(200);
      expect((await claire.get('/tickets?status=nonsense')).status).toBe(400);
    });

    it("shows agents' queues", async () => {
      const paul = await script('paul@woop.example');
      expect((await paul.get('/queues')).status).toBe(200);
      expect((await paul.get('/queues/unassigned?limit=5')).status).toBe(200);
      const claire = await browser('claire@enseigne.example');
      expect((await claire.get('/queues')).status).toBe(403);
    });

    it('shares a request with a colleague and stops sharing it', async () => {
      const claire = await browser('claire@enseigne.example');
      const { reference } = (await fileRequest(claire, 'ask-a-question')).body.ticket;
      const hugo = await browser('hugo@enseigne.example');
      // The tickets service learns people from identity's events: wait until it knows Hugo.
      const shared = await eventually(
        () => claire.post<TicketView>(`/tickets/${reference}/share`, { userIds: ['user-hugo'] }),
        (r) => r.status !== 400,
      );
      expect(shared.status).toBe(200);
      const mine = await hugo.get<{ items: Array<{ reference: string }> }>('/tickets?scope=shared');
      expect(mine.body.items.map((i) => i.reference)).toEqual([reference]);
      const other = await claire.post<Problem>(`/tickets/${reference}/share`, { userIds: ['user-ines'] });
      expect(other.status).toBe(400);
      expect(other.body.errors?.[0]?.path).toBe('userIds.0');
      expect((await claire.delete(`/tickets/${reference}/share/user-hugo`)).status).toBe(200);
      expect((await hugo.get<{ items: unknown[] }>('/tickets?scope=shared')).body.items).toEqual([]);
      const secret = (await fileRequest(claire, 'report-a-vulnerability')).body.ticket.reference;
      expect((await claire.post(`/tickets/${secret}/share`, { userIds: ['user-hugo'] })).status).toBe(409);
      expect((await hugo.get(`/tickets/${secret}`)).status).toBe(404);
    });

    it('attaches a file and downloads it', async () => {
      const claire = await browser('claire@enseigne.example');
      const { reference } = (await fileRequest(claire, 'ask-a-question')).body.ticket;
      const data = Buffer.from('bonjour\n');
      const up = await claire.post<{ id: string }>(`/tickets/${reference}/attachments?filename=note.txt`, undefined, {
        file: { data, contentType: 'text/plain' },
      });
      expect(up.status).toBe(201);
      expect((await claire.get(`/tickets/${reference}/attachments`)).status).toBe(200);
      const down = await claire.get(`/tickets/${reference}/attachments/${up.body.id}`);
      expect(down.text).toBe('bonjour\n');
      const exe = await claire.post(`/tickets/${reference}/attachments?filename=x.exe`, undefined, {
        file: { data, contentType: 'application/x-msdownload' },
      });
      expect(exe.status).toBe(415);
    });

    it('reads and edits a request type (admins)', async () => {
      const admin = await browser('admin@woop.example');
      const type = await admin.get<Record<string, unknown>>('/catalogue/ask-a-question');
      expect(type.status).toBe(200);
      const { key: _key, version: _version, ...definition } = type.body;
      expect((await admin.put('/catalogue/ask-a-question', definition)).status).toBe(200);
      const claire = await browser('claire@enseigne.example');
      expect((await claire.put('/catalogue/ask-a-question', definition)).status).toBe(403);
    });
  });
});
