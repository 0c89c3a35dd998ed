import { csatLinkToken } from '@woop/service-kit';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { linksIn, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * Satisfaction (CSAT) through the real pieces: the workflow on the dev server, its events on
 * Kafka, the notifications service's email in MailDev, the tickets service's read model in
 * FerretDB. The link found in the email rates once, without any login; the API's `rate` is the
 * requester's alone; a reopened request answered again is rated again, the old link no longer.
 */
describe('satisfaction: "Êtes-vous satisfait de la réponse ?"', () => {
  let api: TicketsApi;
  let n: Awaited<ReturnType<typeof startNotifications>>;
  beforeAll(async () => {
    n = await startNotifications();
    api = await startTicketsApi();
  });
  afterAll(async () => {
    await api?.stop();
    await n?.stop();
  });

  it('emails the requester a link per score that rates once, and takes the API rating from the requester only', async () => {
    const [claireId, hugoId, paulId] = [uniqueId('claire'), uniqueId('hugo'), uniqueId('paul')];
    const org = { organizationId: uniqueId('org') };
    const claire = person(claireId, 'customer', {
      ...org,
      name: 'Claire Durand',
      email: `${claireId}@enseigne.example`,
    });
    const hugo = person(hugoId, 'customer', { ...org, name: 'Hugo Martin', email: `${hugoId}@enseigne.example` });
    const paul = person(paulId, 'agent', { teams: ['support'], name: 'Paul Agent', email: `${paulId}@woop.example` });
    await api.registerPeople([claire, hugo, paul]);
    await eventually(
      () => n.service.models.Recipient.find({ _id: { $in: [claireId, paulId] } }).lean(),
      (rows) => rows.length === 2,
    );
    const filed = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Où est ma livraison ?',
      description: 'Commande CMD-42',
    });
    expect(filed.status).toBe(201);
    const reference = (filed.body.ticket as { reference: string }).reference;
    const act = async (who: typeof claire, action: string, payload: Record<string, unknown> = {}) =>
      api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
    const ok = async (who: typeof claire, action: string, payload: Record<string, unknown> = {}) =>
      expect([action, (await act(who, action, payload)).status]).toEqual([action, 200]);
    const answerAndAccept = async () => {
      await ok(paul, 'resolve', { answer: 'Livrée ce matin au quai 3.' });
      await ok(claire, 'acceptResolution');
    };
    await ok(paul, 'qualify', { priority: 'high', billable: false, assignment: { agentId: paulId } });
    await ok(paul, 'start');
    // Not TERMINÉ yet: nothing to rate.
    expect((await act(claire, 'rate', { score: 5 })).body).toMatchObject({ code: 'action_not_allowed_in_status' });
    await answerAndAccept();

    const isCsat = (e: CaughtEmail) =>
      e.to.some((t) => t.address === claire.email) &&
      e.subject === `[${reference}] Êtes-vous satisfait de la réponse ?`;
    const email = await waitForEmail(isCsat, 30_000);
    const scoreLinks = linksIn(email).filter((l) => new URL(l).pathname === '/csat');
    expect(scoreLinks.map((l) => new URL(l).searchParams.get('score'))).toEqual(['1', '2', '3', '4', '5']);
    const token = new URL(scoreLinks[3]!).searchParams.get('token')!;

    // Who is not the requester rates nothing, whatever they see of it.
    expect((await act(hugo, 'rate', { score: 1 })).body).toMatchObject({ code: 'role_not_allowed' });
    expect((await act(paul, 'rate', { score: 1 })).body).toMatchObject({ code: 'role_not_allowed' });
    const seen = await api.call(hugo, 'GET', `/tickets/${reference}`);
    expect(seen.body.allowed).not.toContain('rate');

    // The link, with nobody logged in: what it is for, then the rating, then the second use refused.
    const link = `/csat?token=${encodeURIComponent(token)}`;
    expect((await api.call(undefined, 'GET', link)).body).toMatchObject({ reference, state: 'open' });
    const rated = await api.call(undefined, 'POST', '/csat', { token, score: 4, comment: 'Rapide, merci' });
    expect([rated.status, rated.body]).toEqual([200, expect.objectContaining({ state: 'rated', score: 4 })]);
    const again = await api.call(undefined, 'POST', '/csat', { token, score: 1 });
    expect([again.status, again.body.code]).toEqual([409, 'already_rated']);
    expect((await api.call(undefined, 'GET', link)).body).toMatchObject({ state: 'rated', score: 4 });
    expect((await act(claire, 'rate', { score: 2 })).body).toMatchObject({ code: 'already_rated' });
    const forged = await api.call(undefined, 'POST', '/csat', { token: `${token.slice(0, -3)}xyz`, score: 5 });
    expect([forged.status, forged.body.code]).toEqual([404, 'csat_link_invalid']);

    // The agent reads it on the request; the reports read it from the row.
    const ticket = (await api.call(paul, 'GET', `/tickets/${reference}`)).body.ticket as Record<string, unknown>;
    expect(ticket.csat).toMatchObject({ score: 4, comment: 'Rapide, merci', closure: 1, by: { id: claireId } });
    const row = await api.svc.models
      .native()
      .collection('ticket_rows')
      .findOne({ _id: reference as never });
    expect(row?.csatScore).toBe(4);

    // Reopened and answered again: a new closure, rated again through the API; the old link no longer opens.
    await ok(claire, 'reopen', { reason: 'Le colis est abîmé' });
    await answerAndAccept();
    const stale = await api.call(undefined, 'POST', '/csat', { token, score: 1 });
    expect([stale.status, stale.body.code]).toEqual([404, 'csat_link_invalid']);
    await ok(claire, 'rate', { score: 2 });
    const after = (await api.call(claire, 'GET', `/tickets/${reference}`)).body;
    expect(after.ticket).toMatchObject({ csat: { score: 2, closure: 2 } });
    expect(after.allowed).not.toContain('rate');
  });
});

describe('satisfaction of a request closed before it was rated', () => {
  let api: TicketsApi;
  beforeAll(async () => {
    // Every minute counts, and a reopen window of about 4 s: TERMINÉ, then CLÔTURÉ by itself.
    api = await startTicketsApi({ env: { TICKET_CALENDAR: 'round-the-clock', TICKET_REOPEN_WINDOW_DAYS: '0.00005' } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('says the request is closed, on the link and through the API', async () => {
    const [claireId, paulId] = [uniqueId('claire'), uniqueId('paul')];
    const claire = person(claireId, 'customer', { organizationId: uniqueId('org'), name: 'Claire Durand' });
    const paul = person(paulId, 'agent', { teams: ['support'], name: 'Paul Agent' });
    await api.registerPeople([claire, paul]);
    const filed = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Étiquettes illisibles',
      description: 'Imprimante 3',
    });
    const reference = (filed.body.ticket as { reference: string }).reference;
    for (const [who, action, payload] of [
      [paul, 'qualify', { priority: 'low', billable: false, assignment: { agentId: paulId } }],
      [paul, 'start', {}],
      [paul, 'resolve', { answer: 'Pilote mis à jour.' }],
      [claire, 'acceptResolution', {}],
    ] as const) {
      const res = await api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
      expect([action, res.status]).toEqual([action, 200]);
    }
    const issuedAt = new Date().toISOString();
    const token = csatLinkToken(api.config.MAIL_REPLY_KEY, { reference, userId: claireId, issuedAt });
    await eventually(
      () => api.call(claire, 'GET', `/tickets/${reference}`),
      (res) => (res.body.ticket as { status: string }).status === 'closed',
      30_000,
    );
    expect((await api.call(undefined, 'GET', `/csat?token=${encodeURIComponent(token)}`)).body).toMatchObject({
      reference,
      state: 'closed',
    });
    const late = await api.call(undefined, 'POST', '/csat', { token, score: 5 });
    expect([late.status, late.body.code]).toEqual([409, 'request_closed']);
  });
});
