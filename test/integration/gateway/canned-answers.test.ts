import type { CannedAnswer, CannedAnswerList } from '@woop/contracts';
import { createLogger } from '@woop/service-kit';
import { DEMO_PASSWORD, seed } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

const answer = (team: string, fr = 'Bonjour {{customerName}}') => ({
  team,
  title: { fr: 'Accusé', en: 'Acknowledgement' },
  body: { fr, en: 'Hello {{customerName}}' },
});

/**
 * Canned answers through the gateway: the API as its document says (every answer checked against
 * it by the client), and the management page's refusals in a sentence: a stale edit (someone saved
 * meanwhile) shows what was saved beside what was typed, and saving again replaces it; a lead
 * cannot change another team's answer; an agent who leads nothing is told whose page it is.
 */
describe('gateway: canned answers', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let gateway: RunningGateway;
  let admin: ApiClient;
  let lena: ApiClient;
  let paul: ApiClient;
  let claire: ApiClient;

  beforeAll(async () => {
    tickets = await startTicketsApi();
    identity = await startIdentity();
    await seed(identity.svc.models, logger, [
      {
        _id: 'user-lena',
        email: 'lena.lead@woop.example',
        fullName: 'Léna Lead',
        role: 'agent',
        orgAdmin: false,
        teams: ['support-leads'],
      },
    ]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: 'http://127.0.0.1:9',
    });
    const anonymous = await ApiClient.connect(gateway.origin);
    const browser = async (email: string) => {
      const client = anonymous.fresh();
      const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
      expect(res.status).toBe(200);
      client.csrfToken = res.body.csrfToken;
      return client;
    };
    [admin, lena, paul, claire] = (await Promise.all(
      ['admin@woop.example', 'lena.lead@woop.example', 'paul@woop.example', 'claire@enseigne.example'].map(browser),
    )) as [ApiClient, ApiClient, ApiClient, ApiClient];
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  /** A page as `who` sees it: status and HTML. */
  const page = async (who: ApiClient, path: string, form?: Record<string, string>) => {
    const res = await fetch(`${gateway.origin}${path}`, {
      method: form ? 'POST' : 'GET',
      headers: {
        cookie: who.cookieHeader(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: gateway.origin } : {}),
      },
      ...(form ? { body: new URLSearchParams({ _csrf: who.csrfToken!, ...form }).toString() } : {}),
      redirect: 'manual',
    });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };

  it('serves the API as documented, with each refusal’s code', async () => {
    const created = await lena.post<CannedAnswer>('/canned-answers', answer('support'));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/canned-answers/${created.body.id}`);
    const billing = await admin.post<CannedAnswer>('/canned-answers', answer('billing'));
    expect(billing.status).toBe(201);
    const edit = { ...answer('billing', 'Par Léna'), version: 1 };
    expect(await lena.put(`/canned-answers/${billing.body.id}`, edit)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    expect(await lena.post('/canned-answers', answer('support', '{{nom}}'))).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
    expect(await paul.post('/canned-answers', answer('support'))).toMatchObject({ status: 403 });
    expect((await paul.get<CannedAnswerList>('/canned-answers')).body.items.map((a) => a.id)).toEqual([
      created.body.id,
    ]);
    expect(await claire.get('/canned-answers')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await paul.get(`/canned-answers/${'0'.repeat(24)}`)).toMatchObject({
      status: 404,
      body: { code: 'canned_answer_not_found' },
    });
    expect((await admin.delete(`/canned-answers/${billing.body.id}`)).status).toBe(204);
  });

  it('keeps what a lead typed when someone saved meanwhile, shows the saved text, and saves on a second try', async () => {
    const { body: created } = await lena.post<CannedAnswer>('/canned-answers', answer('support', 'Version un'));
    const form = await page(lena, `/agent/canned-answers/${created.id}`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('<input type="hidden" name="version" value="1">');
    // The admin saves version 2 while Léna's form is open on version 1.
    const meanwhile = await admin.put(`/canned-answers/${created.id}`, {
      ...answer('support', 'Version de l’admin'),
      version: 1,
    });
    expect(meanwhile.status).toBe(200);
    const fields = {
      team: 'support',
      titleFr: 'Accusé',
      titleEn: 'Acknowledgement',
      bodyFr: 'Version de Léna',
      bodyEn: 'Hello',
    };
    const stale = await page(lena, `/agent/canned-answers/${created.id}`, { ...fields, version: '1' });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('Quelqu&#x27;un a enregistré cette réponse type pendant que vous la modifiiez');
    expect(stale.html).toContain('Version de l’admin');
    expect(stale.html).toContain('>Version de Léna</textarea>');
    expect(stale.html).toContain('<input type="hidden" name="version" value="2">');
    expect((await lena.get<CannedAnswer>(`/canned-answers/${created.id}`)).body.body.fr).toBe('Version de l’admin');
    const again = await page(lena, `/agent/canned-answers/${created.id}`, { ...fields, version: '2' });
    expect([again.status, again.location]).toEqual([303, '/agent/canned-answers']);
    expect((await lena.get<CannedAnswer>(`/canned-answers/${created.id}`)).body).toMatchObject({
      version: 3,
      body: { fr: 'Version de Léna' },
    });
  });

  it('refuses a lead another team’s answer on the page, and tells an agent who leads nothing whose page it is', async () => {
    const { body: billing } = await admin.post<CannedAnswer>('/canned-answers', answer('billing'));
    // Not one she reads: no such answer, for her (the API says 403 to a change of it, see above).
    const deleted = await page(lena, `/agent/canned-answers/${billing.id}/delete`, {});
    expect(deleted.status).toBe(404);
    expect((await admin.get(`/canned-answers/${billing.id}`)).status).toBe(200);
    const list = await page(lena, '/agent/canned-answers');
    expect(list.status).toBe(200);
    expect(list.html).not.toContain(billing.id);
    const refused = await page(paul, '/agent/canned-answers');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Les réponses types sont gérées par les administrateurs et les responsables');
    expect((await page(claire, '/agent/canned-answers')).status).toBe(404);
    expect((await page(admin, '/agent/canned-answers')).html).toContain(billing.id);
  });
});
