import type { CannedAnswer, CannedAnswerList } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { admin, claire, paul, person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/** A lead of the support team (member of `support-leads`), and a billing agent. */
const lena = person('lena', 'agent', { teams: ['support-leads'], name: 'Léna Lead' });
const bruno = person('bruno', 'agent', { teams: ['billing'], name: 'Bruno Billing' });

const answer = (team: string, fr = 'Bonjour {{customerName}}, votre demande {{reference}} est prise en charge.') => ({
  team,
  title: { fr: 'Accusé de réception', en: 'Acknowledgement' },
  body: { fr, en: 'Hello {{ customerName }}, we are on {{reference}}. {{agentName}}' },
});

describe('canned answers on the tickets service, on the real servers', () => {
  let api: TicketsApi;
  const send = async (who: VerifiedIdentity | undefined, method: string, path: string, body?: unknown) =>
    (await api.call(who, method, `/canned-answers${path}`, body)) as unknown as {
      status: number;
      body: CannedAnswer & { code?: string; errors?: Array<{ path: string; message: string }> };
      headers: Headers;
    };
  const list = async (who: VerifiedIdentity, query = '') =>
    (await api.call(who, 'GET', `/canned-answers${query}`)).body as unknown as CannedAnswerList;

  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([paul, lena, bruno]);
  }, 120_000);
  afterAll(() => api?.stop());

  let support: CannedAnswer;
  let billing: CannedAnswer;

  it('lets a lead add an answer to the team they lead, and an admin to any team', async () => {
    const created = await send(lena, 'POST', '', answer('support'));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/canned-answers/${created.body.id}`);
    expect(created.body).toMatchObject({ ...answer('support'), version: 1 });
    support = created.body;
    const other = await send(admin, 'POST', '', answer('billing', 'Votre facture {{reference}}.'));
    expect(other.status).toBe(201);
    billing = other.body;
    expect((await send(lena, 'GET', `/${support.id}`)).body).toEqual(support);
  });

  it('refuses an unknown placeholder at save time, naming it', async () => {
    const res = await send(lena, 'POST', '', answer('support', 'Bonjour {{client}}'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([
      {
        path: 'body.fr',
        message: 'unknown placeholder {{client}}: write {{customerName}}, {{reference}}, {{type}}, {{agentName}}',
      },
    ]);
  });

  it('gives each agent their teams’ answers; a lead the teams they may write; an admin every team', async () => {
    const paulList = await list(paul);
    expect(paulList.items.map((a) => a.id)).toEqual([support.id]);
    expect(paulList.teams).toEqual([]);
    expect((await list(lena)).items.map((a) => a.id)).toEqual([support.id]);
    expect((await list(lena)).teams).toEqual(['support']);
    expect((await list(bruno)).items.map((a) => a.id)).toEqual([billing.id]);
    const all = await list(admin);
    expect(all.items.map((a) => a.id)).toEqual([billing.id, support.id]);
    // From the directory's agents (never a `-leads` team) and the answers' teams.
    expect(all.teams).toEqual(expect.arrayContaining(['billing', 'support']));
    expect(all.teams.filter((t) => t.endsWith('-leads'))).toEqual([]);
    expect((await list(admin, '?team=billing')).items.map((a) => a.id)).toEqual([billing.id]);
    expect((await list(lena, '?team=billing')).items).toEqual([]);
    expect((await send(bruno, 'GET', `/${support.id}`)).body.code).toBe('canned_answer_not_found');
  });

  it('refuses a lead editing or deleting another team’s answer, and an agent who leads nothing', async () => {
    const edit = { ...answer('billing', 'Réécrit par Léna'), version: 1 };
    expect(await send(lena, 'PUT', `/${billing.id}`, edit)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await send(lena, 'DELETE', `/${billing.id}`)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    // Nor moving their own answer to a team they do not lead.
    const moved = { ...answer('billing'), version: 1 };
    expect(await send(lena, 'PUT', `/${support.id}`, moved)).toMatchObject({ status: 403 });
    expect(await send(lena, 'POST', '', answer('billing'))).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await send(paul, 'POST', '', answer('support'))).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await send(paul, 'PUT', `/${support.id}`, { ...answer('support'), version: 1 })).toMatchObject({
      status: 403,
    });
    expect(await send(claire, 'GET', '')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await send(undefined, 'GET', '')).status).toBe(401);
    // Billing's answer is as the admin wrote it.
    expect((await send(admin, 'GET', `/${billing.id}`)).body).toEqual(billing);
  });

  it('saves an edit of the current version, and refuses one made on an older version', async () => {
    const saved = await send(lena, 'PUT', `/${support.id}`, { ...answer('support', 'Version 2'), version: 1 });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, body: { fr: 'Version 2' } });
    const stale = await send(admin, 'PUT', `/${support.id}`, { ...answer('support', 'Sur la version 1'), version: 1 });
    expect(stale).toMatchObject({ status: 409, body: { code: 'canned_answer_conflict' } });
    expect((await send(lena, 'GET', `/${support.id}`)).body).toMatchObject({ version: 2, body: { fr: 'Version 2' } });
  });

  it('loses no edit when several are saved on the same version at once: one wins, the others are told', async () => {
    for (let round = 0; round < 4; round++) {
      const { version } = (await send(lena, 'GET', `/${support.id}`)).body;
      const texts = [0, 1, 2, 3].map((i) => `Round ${round}, editor ${i}`);
      const results = await Promise.all(
        texts.map((text, i) =>
          send(i % 2 ? admin : lena, 'PUT', `/${support.id}`, { ...answer('support', text), version }),
        ),
      );
      const won = results.filter((r) => r.status === 200);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
      const now = (await send(lena, 'GET', `/${support.id}`)).body;
      expect(now).toMatchObject({ version: version + 1, body: { fr: won[0]!.body.body.fr } });
    }
  });

  it('deletes: the answer is gone for every reader, and an edit of it is a 404', async () => {
    const { version } = (await send(lena, 'GET', `/${support.id}`)).body;
    expect((await send(lena, 'DELETE', `/${support.id}`)).status).toBe(204);
    expect(await send(paul, 'GET', `/${support.id}`)).toMatchObject({
      status: 404,
      body: { code: 'canned_answer_not_found' },
    });
    expect(await send(lena, 'PUT', `/${support.id}`, { ...answer('support'), version })).toMatchObject({
      status: 404,
    });
    expect((await send(lena, 'DELETE', `/${support.id}`)).status).toBe(404);
    expect((await list(paul)).items).toEqual([]);
    expect((await send(admin, 'GET', '/not-an-id')).status).toBe(400);
  });
});
