import { createHash } from 'node:crypto';
import { TOPICS, type EventEnvelope } from '@woop/contracts';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  IDENTITY_HEADER,
  signIdentity,
  signRequest,
  startOutboxRelay,
  type EventPublisher,
  type VerifiedIdentity,
} from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { startIdentity, type RunningIdentity as Running } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { linkTokenOf } from '../support/links';
import { readEvents } from '../support/kafka-events';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const kafka = createKafka('identity-test', brokers, logger);

/** Calls on the identity service `current()` returns, as the gateway would make them. */
function clientOf(current: () => Running, suiteStart: number) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    opts: { as?: VerifiedIdentity; ip?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const id = current();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // The gateway signs the client's address into every call (the caller too, when there is one).
    const clientIp = opts.ip ?? `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    headers[IDENTITY_HEADER] = signRequest(
      { ...(opts.as ? { identity: opts.as } : {}), clientIp },
      id.config.INTERNAL_AUTH_SECRET,
    );
    const res = await fetch(`${id.base}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: res.headers,
    };
  };
  // Topics outlive test runs and the demo addresses repeat: only events since `since` count.
  const linkFor = async (email: string, type: string, after = 0, since = suiteStart): Promise<string> => {
    const events = await readEvents(
      kafka,
      TOPICS.users.name,
      (e: EventEnvelope) => e.type === type && e.data.email === email && Date.parse(e.time) >= since,
      (es) => es.length > after,
    );
    return linkTokenOf(events[after]!, current().config.LINK_SEALING_KEY);
  };
  const login = async (email: string, password = DEMO_PASSWORD) => {
    const res = await call('POST', '/login', { email, password });
    expect(res.status).toBe(200);
    return res.body as { sessionToken: string; identity: VerifiedIdentity };
  };
  return { call, linkFor, login };
}

describe('identity service on FerretDB and Kafka', () => {
  let id: Running;
  const suiteStart = Date.now();
  beforeAll(async () => {
    id = await startIdentity({ SESSION_IDLE_MINUTES: '0.05' });
  });
  afterAll(() => id.stop());
  const { call, linkFor, login } = clientOf(() => id, suiteStart);

  it('signs up from the emailed link: weak password refused, account active, link single-use', async () => {
    const email = `${uniqueId('new')}@enseigne.example`;
    expect(await call('POST', '/signup', { email })).toMatchObject({ status: 202 });
    const token = await linkFor(email, 'user.signup_requested');
    expect(token).toMatch(/^wpl_[A-Za-z0-9_-]{43}$/);

    // The page the link opens asks first; asking does not use the link.
    expect(await call('POST', '/links/check', { token, purpose: 'signup' })).toMatchObject({ status: 204 });
    expect(await call('POST', '/links/check', { token, purpose: 'reset' })).toMatchObject({
      status: 400,
      body: { code: 'link_invalid' },
    });
    const weak = await call('POST', '/signup/complete', { token, fullName: 'Nina Nouvelle', password: 'password1234' });
    expect(weak).toMatchObject({ status: 400, body: { code: 'weak_password', errors: [{ path: 'password' }] } });
    const short = await call('POST', '/signup/complete', { token, fullName: 'Nina Nouvelle', password: 'short' });
    expect(short.body).toMatchObject({ code: 'weak_password' });

    const done = await call('POST', '/signup/complete', {
      token,
      fullName: 'Nina Nouvelle',
      password: 'un cheval correct agrafe',
    });
    expect(done.status).toBe(201);
    expect(done.body.identity).toMatchObject({
      role: 'customer',
      organizationId: 'org-enseigne-demo',
      name: 'Nina Nouvelle',
      locale: 'fr',
    });
    const resolved = await call('POST', '/sessions/resolve', { token: done.body.sessionToken });
    expect(resolved.body.identity).toMatchObject({ email });

    const again = await call('POST', '/signup/complete', {
      token,
      fullName: 'X',
      password: 'un cheval correct agrafe',
    });
    expect(again).toMatchObject({ status: 400, body: { code: 'link_used' } });
    expect(await call('POST', '/links/check', { token, purpose: 'signup' })).toMatchObject({
      status: 400,
      body: { code: 'link_used' },
    });
    const stored = await id.svc.models.User.findOne({ email }).lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await id.svc.models.LinkToken.exists({ _id: token })).toBeNull(); // only the hash is stored
  });

  it('lets only one of many concurrent uses of a link through', async () => {
    const email = `${uniqueId('race')}@enseigne.example`;
    await call('POST', '/signup', { email });
    const token = await linkFor(email, 'user.signup_requested');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', '/signup/complete', { token, fullName: `Racer ${i}`, password: 'un cheval correct agrafe' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.body.code === 'link_used')).toHaveLength(7);
    expect(await id.svc.models.User.countDocuments({ email })).toBe(1);
  });

  it('refuses malformed input with field errors and creates nothing', async () => {
    const res = await call('POST', '/signup/complete', { token: '', fullName: '' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((res.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual([
      'fullName',
      'password',
      'token',
    ]);
    expect(await call('POST', '/signup', { email: 'not-an-email' })).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', errors: [{ path: 'email' }] },
    });
    const unknown = await call('POST', '/signup/complete', {
      token: 'wpl_nope',
      fullName: 'A',
      password: 'un cheval correct agrafe',
    });
    expect(unknown.body).toMatchObject({ code: 'link_invalid' });
  });

  it('answers sign-up and reset the same whether the address exists or not', async () => {
    const answers = await Promise.all([
      call('POST', '/signup', { email: 'claire@enseigne.example' }),
      call('POST', '/signup', { email: `${uniqueId('nobody')}@enseigne.example` }),
      call('POST', '/signup', { email: `${uniqueId('x')}@unknown-domain.example` }),
      call('POST', '/password-reset', { email: 'claire@enseigne.example' }),
      call('POST', '/password-reset', { email: `${uniqueId('nobody')}@enseigne.example` }),
    ]);
    for (const a of answers)
      expect({ status: a.status, body: a.body }).toEqual({ status: answers[0].status, body: answers[0].body });
    // The owner of the existing address is told, not the asker.
    const notices = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) =>
        e.type === 'user.signup_existing_account' &&
        e.data.email === 'claire@enseigne.example' &&
        Date.parse(e.time) >= suiteStart,
      (es) => es.length >= 1,
    );
    expect(notices[0]?.data).not.toHaveProperty('link');
  });

  it('expires links and lets a newer link supersede an older one', async () => {
    const short = await startIdentity({ SIGNUP_LINK_TTL_MINUTES: '0.005' });
    try {
      const email = `${uniqueId('late')}@enseigne.example`;
      await fetch(`${short.base}/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      const token = await linkFor(email, 'user.signup_requested');
      await new Promise((r) => setTimeout(r, 600));
      const res = await fetch(`${short.base}/signup/complete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, fullName: 'Lou', password: 'un cheval correct agrafe' }),
      });
      expect(await res.json()).toMatchObject({ code: 'link_expired' });
    } finally {
      await short.stop();
    }
    const email = `${uniqueId('twice')}@enseigne.example`;
    await call('POST', '/signup', { email });
    const first = await linkFor(email, 'user.signup_requested');
    await call('POST', '/signup', { email });
    const second = await linkFor(email, 'user.signup_requested', 1);
    expect(second).not.toBe(first);
    const old = await call('POST', '/signup/complete', {
      token: first,
      fullName: 'T',
      password: 'un cheval correct agrafe',
    });
    expect(old.body).toMatchObject({ code: 'link_superseded' });
    expect(
      (await call('POST', '/signup/complete', { token: second, fullName: 'T', password: 'un cheval correct agrafe' }))
        .status,
    ).toBe(201);
  });

  it('resets a password by link and logs out every session', async () => {
    const { sessionToken } = await login('hugo@enseigne.example');
    await call('POST', '/password-reset', { email: 'hugo@enseigne.example' });
    const token = await linkFor('hugo@enseigne.example', 'user.password_reset_requested');
    expect(
      (await call('POST', '/password-reset/complete', { token, password: 'Hugo-nouveau-mot-de-passe' })).status,
    ).toBe(200);
    expect((await call('POST', '/sessions/resolve', { token: sessionToken })).status).toBe(401);
    expect((await call('POST', '/login', { email: 'hugo@enseigne.example', password: DEMO_PASSWORD })).status).toBe(
      401,
    );
    await login('hugo@enseigne.example', 'Hugo-nouveau-mot-de-passe');
  });

  it('answers a wrong password and an unknown address alike, and limits failures per address and IP', async () => {
    const wrong = await call('POST', '/login', { email: 'ines@transports.example', password: 'wrong password!' });
    const unknown = await call('POST', '/login', { email: 'nobody@transports.example', password: 'wrong password!' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
    expect({ status: unknown.status, code: unknown.body.code, detail: unknown.body.detail }).toEqual({
      status: wrong.status,
      code: wrong.body.code,
      detail: wrong.body.detail,
    });

    const attacker = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      await call(
        'POST',
        '/login',
        { email: 'ines@transports.example', password: `guess ${i}!!!!!!` },
        { ip: attacker },
      );
    }
    const blocked = await call(
      'POST',
      '/login',
      { email: 'ines@transports.example', password: DEMO_PASSWORD },
      { ip: attacker },
    );
    expect(blocked).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The owner, from their own network, is not locked out.
    const owner = await call(
      'POST',
      '/login',
      { email: 'ines@transports.example', password: DEMO_PASSWORD },
      { ip: '198.51.100.20' },
    );
    expect(owner.status).toBe(200);
  });

  it('limits link requests per address', async () => {
    const email = `${uniqueId('spam')}@enseigne.example`;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call('POST', '/signup', { email })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });

  it('ends sessions on logout and after the idle timeout', async () => {
    const a = await login('paul@woop.example');
    expect((await call('POST', '/logout', { sessionToken: a.sessionToken })).status).toBe(204);
    expect((await call('POST', '/sessions/resolve', { token: a.sessionToken })).status).toBe(401);
    const b = await login('paul@woop.example');
    expect(b.sessionToken).not.toBe(a.sessionToken);
    await new Promise((r) => setTimeout(r, 3_200)); // idle timeout here: 3 s
    expect((await call('POST', '/sessions/resolve', { token: b.sessionToken })).status).toBe(401);
  });

  it('enforces roles: admins manage, organisation admins manage their own customers, others get 403/404', async () => {
    const admin = (await login('admin@woop.example')).identity;
    const claire = (await login('claire@enseigne.example')).identity; // org admin, Enseigne Démo
    const ines = (await login('ines@transports.example')).identity; // other organisation
    const paul = (await login('paul@woop.example')).identity; // agent

    expect((await call('POST', '/organizations', { name: 'X', kind: 'retailer' }, { as: claire })).status).toBe(403);
    const org = await call(
      'POST',
      '/organizations',
      { name: uniqueId('Org'), kind: 'carrier', emailDomains: ['ex.example'] },
      { as: admin },
    );
    expect(org.status).toBe(201);

    const invited = await call(
      'POST',
      '/users',
      { email: `${uniqueId('colleague')}@enseigne.example`, role: 'customer', organizationId: 'org-enseigne-demo' },
      { as: claire },
    );
    expect(invited).toMatchObject({ status: 201, body: { status: 'invited', organizationId: 'org-enseigne-demo' } });
    expect((await call('POST', '/users', { email: 'a@b.example', role: 'agent' }, { as: claire })).status).toBe(403);
    expect(
      (
        await call(
          'POST',
          '/users',
          { email: 'a@b.example', role: 'customer', organizationId: 'org-transports-demo' },
          { as: claire },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          'POST',
          '/users',
          { email: 'a@b.example', role: 'customer', organizationId: 'org-enseigne-demo' },
          { as: paul },
        )
      ).status,
    ).toBe(403);

    expect((await call('GET', '/users/user-hugo', undefined, { as: ines })).status).toBe(404);
    expect((await call('GET', '/users/user-hugo', undefined, { as: claire })).status).toBe(200);
    expect((await call('POST', '/users/user-ines/deactivate', undefined, { as: claire })).status).toBe(404);

    const invitedId = String(invited.body.userId);
    expect((await call('POST', `/users/${invitedId}/deactivate`, undefined, { as: claire })).body).toMatchObject({
      status: 'deactivated',
    });
    expect((await call('POST', `/users/${invitedId}/reactivate`, undefined, { as: claire })).body).toMatchObject({
      status: 'invited',
    });
    expect((await call('PATCH', '/users/user-hugo', { role: 'admin' }, { as: claire })).status).toBe(403);
    expect(
      (await call('PATCH', '/users/user-paul', { teams: ['support', 'security'] }, { as: admin })).body,
    ).toMatchObject({ teams: ['support', 'security'] });
    const listed = await call('GET', '/users?organizationId=org-transports-demo', undefined, { as: claire });
    expect(listed.body.items).toEqual([]);
    expect((await call('GET', '/me', undefined)).status).toBe(401);
  });

  it('finishes an invitation from its link', async () => {
    const admin = (await login('admin@woop.example')).identity;
    const email = `${uniqueId('agent')}@woop.example`;
    const invited = await call('POST', '/users', { email, role: 'agent', teams: ['support'] }, { as: admin });
    expect(invited.status).toBe(201);
    const events = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) => e.type === 'user.invited' && e.subject === invited.body.userId,
      (es) => es.length > 0,
    );
    const token = linkTokenOf(events[0]!, id.config.LINK_SEALING_KEY);
    const done = await call('POST', '/signup/complete', {
      token,
      fullName: 'Nouvel Agent',
      password: 'un cheval correct agrafe',
    });
    expect(done.body.identity).toMatchObject({ role: 'agent', teams: ['support'], name: 'Nouvel Agent' });
  });

  it('deactivation ends sessions and refuses login', async () => {
    const admin = (await login('admin@woop.example')).identity;
    const s = await login('sarah@woop.example');
    await call('POST', '/users/user-sarah/deactivate', undefined, { as: admin });
    expect((await call('POST', '/sessions/resolve', { token: s.sessionToken })).status).toBe(401);
    expect((await call('POST', '/login', { email: 'sarah@woop.example', password: DEMO_PASSWORD })).body).toMatchObject(
      { code: 'account_deactivated' },
    );
    await call('POST', '/users/user-sarah/reactivate', undefined, { as: admin });
    await login('sarah@woop.example');
  });

  it('erases a user: data anonymised, sessions gone, user.erased published', async () => {
    const dora = (await login('dora@woop.example')).identity; // dpo agent
    const admin = (await login('admin@woop.example')).identity;
    const email = `${uniqueId('leaving')}@enseigne.example`;
    const invited = await call(
      'POST',
      '/users',
      { email, role: 'customer', organizationId: 'org-enseigne-demo', fullName: 'Léa Départ' },
      { as: admin },
    );
    const userId = String(invited.body.userId);
    const customer = (await login('claire@enseigne.example')).identity;
    expect((await call('POST', `/users/${userId}/erase`, undefined, { as: customer })).status).toBe(403);
    expect((await call('POST', `/users/${userId}/erase`, undefined, { as: dora })).status).toBe(204);
    const stored = await id.svc.models.User.findById(userId).lean();
    expect(stored).toMatchObject({ status: 'erased', fullName: '', email: `erased-${userId}@invalid` });
    expect(JSON.stringify(stored)).not.toContain('Léa');
    expect((await call('GET', `/users/${userId}`, undefined, { as: admin })).status).toBe(404);
    const erased = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) => e.type === 'user.erased' && e.subject === userId,
      (es) => es.length > 0,
    );
    expect(erased[0]?.data).toEqual({ userId, by: dora.userId });
  });
});

describe("identity: open sign-up, organisations, org admins' tokens, password change (#11)", () => {
  let id: Running;
  const suiteStart = Date.now();
  // Sessions last as in production here: these tests keep some open across several calls.
  beforeAll(async () => {
    id = await startIdentity();
  });
  afterAll(() => id.stop());
  const { call, linkFor, login } = clientOf(() => id, suiteStart);
  const PASSWORD = 'un cheval correct agrafe';

  /** Signs `email` up through the emailed link; answers the new account's session. */
  const signUp = async (email: string, locale?: 'fr' | 'en') => {
    expect((await call('POST', '/signup', { email, ...(locale ? { locale } : {}) })).status).toBe(202);
    const token = await linkFor(email, 'user.signup_requested');
    const done = await call('POST', '/signup/complete', { token, fullName: 'Alex Libre', password: PASSWORD });
    expect(done.status).toBe(201);
    return done.body as { sessionToken: string; identity: VerifiedIdentity };
  };
  const eventsOf = (topic: string, type: string, subject: string, count = 1) =>
    readEvents(
      kafka,
      topic,
      (e) => e.type === type && e.subject === subject && Date.parse(e.time) >= suiteStart,
      (es) => es.length >= count,
    );

  it('lets an address at no organisation sign up, in the language asked, as a customer of none', async () => {
    const email = `${uniqueId('libre')}@independant.example`;
    const { identity } = await signUp(email, 'en');
    expect(identity).toMatchObject({ role: 'customer', email, locale: 'en', orgAdmin: false });
    expect(identity).not.toHaveProperty('organizationId');
    const [requested] = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) => e.type === 'user.signup_requested' && e.data.email === email,
      (es) => es.length > 0,
    );
    expect(requested?.data).toMatchObject({ locale: 'en' });
    const [registered] = await eventsOf(TOPICS.users.name, 'user.registered', identity.userId);
    expect(registered?.data.user).toMatchObject({ email, locale: 'en', role: 'customer' });
    expect(registered?.data.user).not.toHaveProperty('organizationId');
    expect(await id.svc.models.LinkToken.exists({ email, purpose: 'notice' })).toBeNull();
  });

  it('with SIGNUP_POLICY=organization_domains, sends a link only to organisation addresses, answering alike', async () => {
    const strict = await startIdentity({ SIGNUP_POLICY: 'organization_domains' });
    try {
      const outsider = `${uniqueId('dehors')}@independant.example`;
      const member = `${uniqueId('membre')}@enseigne.example`;
      const ask = async (email: string) => {
        const res = await fetch(`${strict.base}/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        });
        return { status: res.status, body: await res.json() };
      };
      const [out, in_] = [await ask(outsider), await ask(member)];
      expect(out).toEqual(in_);
      expect(out.status).toBe(202);
      await readEvents(
        kafka,
        TOPICS.users.name,
        (e) =>
          (e.type === 'user.signup_not_allowed' && e.data.email === outsider) ||
          (e.type === 'user.signup_requested' && e.data.email === member),
        (es) => es.length === 2,
      );
      expect(await strict.svc.models.LinkToken.exists({ email: outsider, purpose: 'signup' })).toBeNull();
      expect(await strict.svc.models.LinkToken.exists({ email: member, purpose: 'signup' })).not.toBeNull();
    } finally {
      await strict.stop();
    }
  });

  it('attaches a customer of no organisation (agents, admins), with user.updated; customers may not', async () => {
    const admin = (await login('admin@woop.example')).identity;
    const paul = (await login('paul@woop.example')).identity; // agent
    const claire = (await login('claire@enseigne.example')).identity; // org admin
    const free = await signUp(`${uniqueId('libre')}@independant.example`);
    const userId = free.identity.userId;
    const path = `/users/${userId}`;

    const waiting = await call('GET', '/users?withoutOrganization=true', undefined, { as: paul });
    const items = waiting.body.items as Array<{ userId: string; role: string; organizationId?: string }>;
    expect(items.map((u) => u.userId)).toContain(userId);
    expect(items.every((u) => u.role === 'customer' && u.organizationId === undefined)).toBe(true);
    expect((await call('GET', '/users?withoutOrganization=true', undefined, { as: claire })).body.items).toEqual([]);

    const outcome = (r: { status: number; body: Record<string, unknown> }) => `${r.status} ${String(r.body.code)}`;
    expect([
      outcome(await call('PATCH', path, { organizationId: 'org-enseigne-demo' }, { as: claire })), // not hers to see
      outcome(await call('PATCH', '/users/user-hugo', { organizationId: 'org-transports-demo' }, { as: claire })),
      outcome(await call('PATCH', path, { organizationId: 'org-enseigne-demo' }, { as: free.identity })),
      outcome(await call('PATCH', path, { organizationId: 'org-nowhere' }, { as: paul })),
      outcome(await call('PATCH', path, { organizationId: 'org-enseigne-demo', fullName: 'X' }, { as: paul })),
    ]).toEqual(['404 not_found', '403 forbidden', '403 forbidden', '404 not_found', '403 forbidden']);
    const agent = await call('PATCH', '/users/user-sarah', { organizationId: 'org-enseigne-demo' }, { as: admin });
    expect(agent).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', errors: [{ path: 'organizationId' }] },
    });
    expect((await id.svc.models.User.findById(userId).lean())?.organizationId).toBeUndefined();

    const attached = await call('PATCH', path, { organizationId: 'org-transports-demo' }, { as: paul });
    expect(attached).toMatchObject({ status: 200, body: { userId, organizationId: 'org-transports-demo' } });
    // Their open session carries it from the next request on (the gateway resolves it each time).
    const resolved = await call('POST', '/sessions/resolve', { token: free.sessionToken });
    expect(resolved.body.identity).toMatchObject({ userId, organizationId: 'org-transports-demo' });
    const [updated] = await eventsOf(TOPICS.users.name, 'user.updated', userId);
    expect(updated?.data).toMatchObject({
      user: { userId, organizationId: 'org-transports-demo' },
      changes: ['organizationId'],
      by: paul.userId,
    });

    // An organisation admin moved elsewhere is not that organisation's admin.
    const invited = await call(
      'POST',
      '/users',
      {
        email: `${uniqueId('chef')}@transports.example`,
        role: 'customer',
        organizationId: 'org-transports-demo',
        orgAdmin: true,
      },
      { as: admin },
    );
    const moved = await call(
      'PATCH',
      `/users/${String(invited.body.userId)}`,
      { organizationId: 'org-enseigne-demo' },
      { as: admin },
    );
    expect(moved.body).toMatchObject({ organizationId: 'org-enseigne-demo', orgAdmin: false });
  });

  it('edits an organisation (admins): name and domains, organization.updated; a taken name is a 409', async () => {
    const admin = (await login('admin@woop.example')).identity;
    const claire = (await login('claire@enseigne.example')).identity;
    const oldDomain = `${uniqueId('ancien')}.example`;
    const newDomain = `${uniqueId('nouveau')}.example`;
    const created = await call(
      'POST',
      '/organizations',
      { name: uniqueId('Enseigne'), kind: 'retailer', emailDomains: [oldDomain] },
      { as: admin },
    );
    const organizationId = String(created.body.organizationId);
    const path = `/organizations/${organizationId}`;
    const name = uniqueId('Renommée');

    const edited = await call('PATCH', path, { name, emailDomains: [newDomain.toUpperCase()] }, { as: admin });
    const expected = { organizationId, name, kind: 'retailer', emailDomains: [newDomain] };
    expect(edited).toMatchObject({ status: 200, body: expected });
    expect((await call('GET', path, undefined, { as: admin })).body).toEqual(expected);
    const [event] = await eventsOf(TOPICS.organizations.name, 'organization.updated', organizationId);
    expect(event?.data).toEqual(expected);

    expect(await call('PATCH', path, { name: 'Enseigne Démo' }, { as: admin })).toMatchObject({
      status: 409,
      body: { code: 'organization_exists' },
    });
    expect((await call('PATCH', path, { name: 'X' }, { as: claire })).status).toBe(403);
    expect((await call('PATCH', '/organizations/org-nowhere', { name: 'X' }, { as: admin })).status).toBe(404);
    expect((await call('PATCH', path, {}, { as: admin })).status).toBe(400);
    expect((await call('GET', path, undefined, { as: admin })).body).toEqual(expected);

    // Sign-up follows the domains: the new one joins the organisation, the old one no longer does.
    const joined = await signUp(`${uniqueId('arrivee')}@${newDomain}`);
    expect(joined.identity.organizationId).toBe(organizationId);
    const left = await signUp(`${uniqueId('ancienne')}@${oldDomain}`);
    expect(left.identity).not.toHaveProperty('organizationId');
  });

  it("gives organisation admins API tokens (plain customers: 403), lists the caller's, never the secret", async () => {
    const admin = (await login('admin@woop.example')).identity;
    const claire = (await login('claire@enseigne.example')).identity; // org admin
    const hugo = (await login('hugo@enseigne.example')).identity;
    expect(await call('POST', '/api-tokens', { name: 'Caisse' }, { as: hugo })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });

    const used = await call('POST', '/api-tokens', { name: 'Logiciel de caisse' }, { as: claire });
    expect(used.status).toBe(201);
    const token = String(used.body.token);
    const revoked = await call('POST', '/api-tokens', { name: 'Ancien script', scopes: ['read'] }, { as: claire });
    expect(
      (await call('DELETE', `/api-tokens/${String(revoked.body.tokenId)}`, undefined, { as: claire })).status,
    ).toBe(204);
    const resolved = await call('POST', '/sessions/resolve', { token });
    expect(resolved.body.identity).toMatchObject({ userId: 'user-claire', organizationId: 'org-enseigne-demo' });
    // The gateway learns what the credential is: an API token and its scopes (both by default).
    expect(resolved.body.credential).toEqual({ kind: 'api', scopes: ['read', 'write'] });
    const session = (await login('claire@enseigne.example')).sessionToken;
    expect((await call('POST', '/sessions/resolve', { token: session })).body.credential).toEqual({ kind: 'session' });

    const listed = await call('GET', '/api-tokens', undefined, { as: claire });
    expect(listed.status).toBe(200);
    const items = (listed.body.items as Array<Record<string, unknown>>).sort((a, b) =>
      String(a.name).localeCompare(String(b.name)),
    );
    expect(items).toEqual([
      {
        tokenId: revoked.body.tokenId,
        name: 'Ancien script',
        createdAt: expect.any(String),
        revoked: true,
        revokedAt: expect.any(String),
        expiresAt: expect.any(String),
        expired: false,
        scopes: ['read'],
      },
      {
        tokenId: used.body.tokenId,
        name: 'Logiciel de caisse',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        revoked: false,
        expiresAt: used.body.expiresAt,
        expired: false,
        scopes: ['read', 'write'],
      },
    ]);
    // 90 days by default (API_TOKEN_TTL_DAYS).
    const days = (Date.parse(String(used.body.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const stored = await id.svc.models.ApiToken.find({ userId: 'user-claire' }).lean();
    for (const secret of [token, String(revoked.body.token), ...stored.map((t) => t._id)]) {
      expect(JSON.stringify(listed.body)).not.toContain(secret);
    }
    expect((await call('GET', '/api-tokens', undefined, { as: hugo })).body.items).toEqual([]);

    // A customer's token works only while they are an organisation admin: losing the role ends
    // it for good (given back, it does not come back to life).
    await call('PATCH', '/users/user-claire', { orgAdmin: false }, { as: admin });
    expect((await call('POST', '/sessions/resolve', { token })).status).toBe(401);
    await call('PATCH', '/users/user-claire', { orgAdmin: true }, { as: admin });
    expect((await call('POST', '/sessions/resolve', { token })).status).toBe(401);
    const after = await call('GET', '/api-tokens', undefined, { as: claire });
    expect(after.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ tokenId: used.body.tokenId, revoked: true })]),
    );
  });

  it('changes a password while logged in: current one checked, policy applied, other sessions ended', async () => {
    const email = `${uniqueId('change')}@independant.example`;
    const here = await signUp(email);
    const elsewhere = await login(email, PASSWORD);
    const as = { as: here.identity };
    const change = (body: Record<string, unknown>, opts: { ip?: string } = {}) =>
      call('POST', '/me/password', body, { ...as, ...opts });

    const wrong = await change({ currentPassword: 'pas le bon mot de passe', newPassword: 'une autre phrase secrète' });
    expect(wrong).toMatchObject({
      status: 400,
      body: { code: 'invalid_current_password', errors: [{ path: 'currentPassword' }] },
    });
    const weak = await change({ currentPassword: PASSWORD, newPassword: 'password1234' });
    expect(weak).toMatchObject({ status: 400, body: { code: 'weak_password', errors: [{ path: 'newPassword' }] } });
    expect((await call('POST', '/sessions/resolve', { token: elsewhere.sessionToken })).status).toBe(200);

    const done = await change({
      currentPassword: PASSWORD,
      newPassword: 'une autre phrase secrète',
      keepSessionToken: here.sessionToken,
    });
    expect(done).toMatchObject({ status: 200, body: { status: 'password_changed' } });
    expect((await call('POST', '/sessions/resolve', { token: here.sessionToken })).status).toBe(200);
    expect((await call('POST', '/sessions/resolve', { token: elsewhere.sessionToken })).status).toBe(401);
    expect((await call('POST', '/login', { email, password: PASSWORD })).status).toBe(401);
    await login(email, 'une autre phrase secrète');
    const stored = await id.svc.models.User.findById(here.identity.userId).lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [event] = await eventsOf(TOPICS.users.name, 'user.password_changed', here.identity.userId);
    expect(event?.data.user).toMatchObject({ userId: here.identity.userId, email });
    expect(JSON.stringify(event)).not.toContain('argon2');

    // Without a session to keep (a change made with an API token), every session ends.
    const again = await change({ currentPassword: 'une autre phrase secrète', newPassword: PASSWORD });
    expect(again.status).toBe(200);
    expect((await call('POST', '/sessions/resolve', { token: here.sessionToken })).status).toBe(401);

    // Wrong current passwords count as failed logins of the address from that network.
    const ip = '203.0.113.44';
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await change({ currentPassword: `essai ${i} !!!!!!`, newPassword: 'x'.repeat(20) }, { ip })).status,
      );
    }
    expect(statuses).toEqual([...Array<number>(10).fill(400), 429]);
    expect((await call('POST', '/login', { email, password: PASSWORD }, { ip })).status).toBe(429);
  });
});

describe('identity: who erases whom, how long API tokens and sessions last (#14)', () => {
  let id: Running;
  const suiteStart = Date.now();
  beforeAll(async () => {
    id = await startIdentity();
  });
  afterAll(() => id.stop());
  const { call, linkFor, login } = clientOf(() => id, suiteStart);
  const PASSWORD = 'un cheval correct agrafe';
  const resolves = async (token: string) => (await call('POST', '/sessions/resolve', { token })).status;

  /** A new active account of `role` (invited by the admin, finished from its link), logged in. */
  const newAccount = async (role: 'agent' | 'admin' | 'customer', teams: string[] = []) => {
    const admin = (await login('admin@woop.example')).identity;
    const email = `${uniqueId(role)}@${role === 'customer' ? 'enseigne' : 'woop'}.example`;
    const invited = await call(
      'POST',
      '/users',
      { email, role, teams, ...(role === 'customer' ? { organizationId: 'org-enseigne-demo', orgAdmin: true } : {}) },
      { as: admin },
    );
    expect(invited.status).toBe(201);
    const events = await readEvents(
      kafka,
      TOPICS.users.name,
      (e) => e.type === 'user.invited' && e.subject === invited.body.userId,
      (es) => es.length > 0,
    );
    const done = await call('POST', '/signup/complete', {
      token: linkTokenOf(events[0]!, id.config.LINK_SEALING_KEY),
      fullName: `Compte ${role}`,
      password: PASSWORD,
    });
    expect(done.status).toBe(201);
    return { email, ...(done.body as { sessionToken: string; identity: VerifiedIdentity }) };
  };
  const apiToken = async (as: VerifiedIdentity) => {
    const made = await call('POST', '/api-tokens', { name: 'script' }, { as });
    expect(made.status).toBe(201);
    return String(made.body.token);
  };

  it('erases: nobody themselves, the DPO team customers only, an admin anyone else', async () => {
    const admin = (await login('admin@woop.example')).identity;
    const dora = (await login('dora@woop.example')).identity; // dpo agent
    const agent = await newAccount('agent', ['support']);
    const otherAdmin = await newAccount('admin');
    const customer = await newAccount('customer');
    const erase = (userId: string, as: VerifiedIdentity) => call('POST', `/users/${userId}/erase`, undefined, { as });

    expect(await erase(dora.userId, dora)).toMatchObject({ status: 403, body: { code: 'erase_self_refused' } });
    expect(await erase(admin.userId, admin)).toMatchObject({ status: 403, body: { code: 'erase_self_refused' } });
    expect(await erase(admin.userId, dora)).toMatchObject({ status: 403, body: { code: 'erase_requires_admin' } });
    expect(await erase(agent.identity.userId, dora)).toMatchObject({
      status: 403,
      body: { code: 'erase_requires_admin' },
    });
    // Refused erasures change nothing.
    expect(await resolves(agent.sessionToken)).toBe(200);
    expect((await id.svc.models.User.findById(admin.userId).lean())?.status).toBe('active');

    expect((await erase(customer.identity.userId, dora)).status).toBe(204);
    expect((await erase(agent.identity.userId, admin)).status).toBe(204);
    expect((await erase(otherAdmin.identity.userId, admin)).status).toBe(204);
    for (const gone of [customer, agent, otherAdmin]) {
      expect((await id.svc.models.User.findById(gone.identity.userId).lean())?.status).toBe('erased');
      expect(await resolves(gone.sessionToken)).toBe(401);
    }
  });

  it('ends API tokens on a password reset or change, a change of role and a deactivation; sessions on logout too', async () => {
    const admin = (await login('admin@woop.example')).identity;

    // Password reset: sessions and tokens end.
    const reset = await newAccount('agent', ['support']);
    const resetToken = await apiToken(reset.identity);
    expect(await resolves(resetToken)).toBe(200);
    await call('POST', '/password-reset', { email: reset.email });
    const link = await linkFor(reset.email, 'user.password_reset_requested');
    expect(
      (await call('POST', '/password-reset/complete', { token: link, password: 'une toute nouvelle phrase' })).status,
    ).toBe(200);
    expect(await resolves(resetToken)).toBe(401);
    expect(await resolves(reset.sessionToken)).toBe(401);
    const listed = await call('GET', '/api-tokens', undefined, { as: reset.identity });
    expect(listed.body.items).toEqual([expect.objectContaining({ revoked: true, revokedAt: expect.any(String) })]);

    // Password change: the other sessions and every token end; the session asking stays.
    const changing = await newAccount('agent', ['support']);
    const other = await login(changing.email, PASSWORD);
    const changingToken = await apiToken(changing.identity);
    expect(await resolves(changingToken)).toBe(200);
    const changed = await call(
      'POST',
      '/me/password',
      {
        currentPassword: PASSWORD,
        newPassword: 'une autre phrase toute neuve',
        keepSessionToken: changing.sessionToken,
      },
      { as: changing.identity },
    );
    expect(changed.status).toBe(200);
    expect(await resolves(changingToken)).toBe(401);
    expect(await resolves(other.sessionToken)).toBe(401);
    expect(await resolves(changing.sessionToken)).toBe(200);
    expect((await call('GET', '/api-tokens', undefined, { as: changing.identity })).body.items).toEqual([
      expect.objectContaining({ revoked: true }),
    ]);

    // A change of role: the token ends (the session goes on, with the new role).
    const promoted = await newAccount('agent', ['support']);
    const promotedToken = await apiToken(promoted.identity);
    expect((await call('PATCH', `/users/${promoted.identity.userId}`, { role: 'admin' }, { as: admin })).status).toBe(
      200,
    );
    expect(await resolves(promotedToken)).toBe(401);
    expect((await call('POST', '/sessions/resolve', { token: promoted.sessionToken })).body.identity).toMatchObject({
      role: 'admin',
    });
    // A change of teams or of name is no change of role.
    const kept = await apiToken(promoted.identity);
    await call(
      'PATCH',
      `/users/${promoted.identity.userId}`,
      { teams: ['security'], fullName: 'Autre nom' },
      { as: admin },
    );
    expect(await resolves(kept)).toBe(200);

    // Deactivation: both end, and reactivation brings neither back.
    const leaving = await newAccount('agent', ['support']);
    const leavingToken = await apiToken(leaving.identity);
    await call('POST', `/users/${leaving.identity.userId}/deactivate`, undefined, { as: admin });
    await call('POST', `/users/${leaving.identity.userId}/reactivate`, undefined, { as: admin });
    expect(await resolves(leavingToken)).toBe(401);
    expect(await resolves(leaving.sessionToken)).toBe(401);

    // Logout ends the session it names, and only that one.
    const one = await login(reset.email, 'une toute nouvelle phrase');
    const two = await login(reset.email, 'une toute nouvelle phrase');
    expect(one.sessionToken).not.toBe(two.sessionToken); // every login is a new session
    expect((await call('POST', '/logout', { sessionToken: one.sessionToken })).status).toBe(204);
    expect(await resolves(one.sessionToken)).toBe(401);
    expect(await resolves(two.sessionToken)).toBe(200);
  });

  it('takes as long to answer for an address with an account as for one without (login, sign-up, reset)', async () => {
    const existing = ['claire@enseigne.example', 'hugo@enseigne.example', 'ines@transports.example'];
    /** Median time of `run(i)`, in ms, over rounds interleaved with the other case's. */
    const compare = async (a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) => {
      const times: [number[], number[]] = [[], []];
      for (let i = 0; i < 15; i++) {
        for (const [k, run] of [a, b].entries()) {
          const start = performance.now();
          await run(i).catch(() => undefined);
          times[k]!.push(performance.now() - start);
        }
      }
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      return [median(times[0]), median(times[1])] as const;
    };
    const close = ([a, b]: readonly [number, number]) => {
      // Within noise: a branch with a password hash or a few more writes would stand out.
      expect(Math.abs(a - b)).toBeLessThan(Math.max(15, 0.5 * Math.max(a, b)));
    };
    const { accounts, sessions } = id.svc;
    close(
      await compare(
        (i) => sessions.login(existing[i % 3]!, 'not the password at all'),
        (i) => sessions.login(`${uniqueId(`nobody${i}`)}@enseigne.example`, 'not the password at all'),
      ),
    );
    close(
      await compare(
        (i) => accounts.requestSignup(existing[i % 3]!, 'fr'),
        (i) => accounts.requestSignup(`${uniqueId(`new${i}`)}@enseigne.example`, 'fr'),
      ),
    );
    close(
      await compare(
        (i) => accounts.requestPasswordReset(existing[i % 3]!, 'fr'),
        (i) => accounts.requestPasswordReset(`${uniqueId(`nobody${i}`)}@enseigne.example`, 'fr'),
      ),
    );
  });

  it('expires API tokens after API_TOKEN_TTL_DAYS, old ones counted from their creation', async () => {
    const short = await startIdentity({ API_TOKEN_TTL_DAYS: String(1.5 / 86_400) }); // 1.5 s
    try {
      const headers = (as: VerifiedIdentity) => ({
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity(as, short.config.INTERNAL_AUTH_SECRET),
      });
      const paul = (await short.svc.sessions.login('paul@woop.example', DEMO_PASSWORD)).identity;
      const made = (await (
        await fetch(`${short.base}/api-tokens`, { method: 'POST', headers: headers(paul), body: '{"name":"court"}' })
      ).json()) as { token: string; expiresAt: string };
      expect(Date.parse(made.expiresAt) - Date.now()).toBeLessThanOrEqual(1_500);
      expect(await short.svc.sessions.resolve(made.token)).toMatchObject({ identity: { userId: 'user-paul' } });
      // A token made before tokens expired (no expiresAt) ends TTL after its creation.
      await short.svc.models.ApiToken.create({
        _id: createHash('sha256').update('wpt_old-token-of-paul').digest('hex'),
        tokenId: uniqueId('old'),
        userId: 'user-paul',
        name: 'ancien',
      });
      // Made before scopes too: it may do what it did, read and write.
      expect(await short.svc.sessions.resolve('wpt_old-token-of-paul')).toMatchObject({
        identity: { userId: 'user-paul' },
        credential: { kind: 'api', scopes: ['read', 'write'] },
      });
      await new Promise((r) => setTimeout(r, 1_700));
      expect(await short.svc.sessions.resolve(made.token)).toBeUndefined();
      expect(await short.svc.sessions.resolve('wpt_old-token-of-paul')).toBeUndefined();
      const listed = (await (await fetch(`${short.base}/api-tokens`, { headers: headers(paul) })).json()) as {
        items: Array<{ expired: boolean; revoked: boolean }>;
      };
      expect(listed.items.map((t) => [t.expired, t.revoked])).toEqual([
        [true, false],
        [true, false],
      ]);
    } finally {
      await short.stop();
    }
  });
});

describe('identity events when Kafka is down at write time', () => {
  it('keeps them in the outbox and publishes them once Kafka answers', async () => {
    const down: EventPublisher = {
      publish: () => Promise.reject(new Error('broker unreachable')),
      publishTombstones: () => Promise.reject(new Error('broker unreachable')),
      close: async () => {},
    };
    const id = await startIdentity({}, down);
    try {
      const email = `${uniqueId('outage')}@enseigne.example`;
      const res = await fetch(`${id.base}/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      expect(res.status).toBe(202);
      await id.svc.relay.relayOnce();
      const row = await id.svc.models.LinkToken.findOne({ email, purpose: 'signup' }).lean();
      expect(row?.outbox).toHaveLength(1);
      // At rest the outbox holds the link sealed for the notifications service, never the token:
      // the row's id is the token's hash, and nothing else in the row opens an account.
      const pending = (row!.outbox[0] as { event: EventEnvelope }).event;
      expect(pending).toMatchObject({ type: 'user.signup_requested', dataversion: 2 });
      expect(pending.data).not.toHaveProperty('link');
      expect(pending.data.sealedLink).toMatch(/^wsl1\./);
      const token = linkTokenOf(pending, id.config.LINK_SEALING_KEY);
      expect(row!._id).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(token);
      expect(JSON.stringify(row)).not.toContain('wpl_');

      // Kafka is back: a relay with a working producer (as after a restart) publishes it.
      const publisher = createEventPublisher(kafka);
      const relay = startOutboxRelay({ models: [id.svc.models.LinkToken] as never, publisher, logger });
      await relay.relayOnce();
      const events = await readEvents(
        kafka,
        TOPICS.users.name,
        (e) => e.type === 'user.signup_requested' && e.data.email === email,
        (es) => es.length > 0,
      );
      expect(events).toHaveLength(1);
      expect((await id.svc.models.LinkToken.findOne({ email, purpose: 'signup' }).lean())?.outbox).toHaveLength(0);
      await relay.close();
      await publisher.close();
    } finally {
      await id.stop();
    }
  });
});
