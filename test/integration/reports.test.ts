import { REQUEST_TYPES, type Report, type TicketState } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { businessMinutesBetween } from '@woop/ticket-domain';
import { validFields } from '../support/forms';
import { admin, claire, ines, paul, person, sarah } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/** A lead of the support team (member of `support-leads`, not of `support`). */
const lena = person('lena', 'agent', { teams: ['support-leads'], name: 'Léna Lead' });

describe('the reports endpoint on the real servers', () => {
  let api: TicketsApi;
  const refs: Record<string, string> = {};

  const create = async (who: VerifiedIdentity, requestType: string, summary: string) => {
    const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
    const res = await api.call(who, 'POST', '/tickets', {
      requestType,
      portal: 'retailer',
      summary,
      fields: validFields(type),
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { reference: string }).reference;
  };
  const act = async (
    who: VerifiedIdentity,
    reference: string,
    action: string,
    payload: Record<string, unknown> = {},
  ) => {
    const res = await api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
    expect({ action, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({
      action,
      status: 200,
      body: undefined,
    });
    return res.body.ticket as TicketState;
  };
  const report = async (who: VerifiedIdentity, query = '') => {
    const res = await api.call(who, 'GET', `/reports${query}`);
    return res as unknown as { status: number; body: Report & { code?: string } };
  };

  beforeAll(async () => {
    api = await startTicketsApi();
    await api.registerPeople([claire, ines, paul, sarah, lena]);
    // A: answered, then validated by the customer (TERMINÉ): out of the backlog.
    refs.a = await create(claire, 'ask-a-question', 'Question A');
    await act(paul, refs.a, 'qualify', { priority: 'high', billable: false, assignment: { team: 'support' } });
    await act(paul, refs.a, 'start');
    await act(paul, refs.a, 'reply', { body: 'Voici la réponse.' });
    await act(paul, refs.a, 'resolve', { answer: 'Réglé.' });
    await act(claire, refs.a, 'acceptResolution');
    // B: being worked on by the support team.
    refs.b = await create(claire, 'report-a-bug', 'Bug B');
    await act(paul, refs.b, 'qualify', { priority: 'medium', billable: false, assignment: { team: 'support' } });
    await act(paul, refs.b, 'start');
    // C: nobody touched it (in the default team of its type: support).
    refs.c = await create(claire, 'delivery-request', 'Livraison C');
    // D: confidential, assigned to the support team by security.
    refs.d = await create(claire, 'report-a-vulnerability', 'Faille D');
    await act(sarah, refs.d, 'qualify', { priority: 'low', billable: false, assignment: { team: 'support' } });
    // E: another organisation, another team.
    refs.e = await create(ines, 'ask-a-question', 'Question E');
    await act(admin, refs.e, 'qualify', { priority: 'low', billable: false, assignment: { team: 'billing' } });
  }, 120_000);
  afterAll(() => api?.stop());

  const sla = (priority: string, fr: [number, number, number], res: [number, number, number]) => ({
    priority,
    firstResponse: { met: fr[0], breached: fr[1], running: fr[2] },
    resolution: { met: res[0], breached: res[1], running: res[2] },
  });

  it('gives admins the figures of every request, exactly', async () => {
    const { status, body } = await report(admin);
    expect(status).toBe(200);
    const c = (await api.call(admin, 'GET', `/tickets/${refs.c}`)).body.ticket as TicketState;
    const a = (await api.call(admin, 'GET', `/tickets/${refs.a}`)).body.ticket as TicketState;
    expect(body.weekly).toHaveLength(12);
    expect(body.weekly.slice(0, 11).every((w) => w.created === 0 && w.resolved === 0)).toBe(true);
    expect(body.weekly.at(-1)).toMatchObject({ created: 5, resolved: 1 });
    expect(body.backlog).toEqual({
      byStatus: [
        { status: 'open', count: 1 },
        { status: 'assigned', count: 2 },
        { status: 'in_progress', count: 1 },
      ],
      byType: [
        { requestType: 'ask-a-question', count: 1 },
        { requestType: 'delivery-request', count: 1 },
        { requestType: 'report-a-bug', count: 1 },
        { requestType: 'report-a-vulnerability', count: 1 },
      ],
    });
    const expected = [
      sla('low', [0, 0, 2], [0, 0, 2]),
      sla('medium', [0, 0, 1], [0, 0, 1]),
      sla('high', [1, 0, 0], [1, 0, 0]),
      sla('critical', [0, 0, 0], [0, 0, 0]),
    ];
    // C keeps the priority it was created with.
    const i = expected.findIndex((s) => s.priority === c.priority);
    expected[i]!.firstResponse.running++;
    expected[i]!.resolution.running++;
    expect(body.sla).toEqual(expected);
    // One first answer (A's), timed on its policy's calendar.
    const minutes = businessMinutesBetween(
      a.slaPolicy.calendar,
      new Date(a.createdAt),
      new Date(a.sla.firstResponse.metAt!),
    );
    const rounded = Math.round(minutes * 10) / 10;
    expect(body.firstResponse).toEqual({ answered: 1, medianMinutes: rounded, p90Minutes: rounded });
    expect(body.satisfaction).toEqual({
      ratings: 0,
      average: null,
      byScore: [1, 2, 3, 4, 5].map((score) => ({ score, count: 0 })),
    });
    expect(body.teams).toEqual(['billing', 'support']);
  });

  it('filters by team and organisation', async () => {
    const support = (await report(admin, '?team=support')).body;
    expect(support.weekly.at(-1)).toMatchObject({ created: 4, resolved: 1 });
    expect(support.backlog.byStatus).toEqual([
      { status: 'open', count: 1 },
      { status: 'assigned', count: 1 },
      { status: 'in_progress', count: 1 },
    ]);
    const transports = (await report(admin, '?organizationId=org-transports')).body;
    expect(transports.weekly.at(-1)).toMatchObject({ created: 1, resolved: 0 });
    expect(transports.backlog.byType).toEqual([{ requestType: 'ask-a-question', count: 1 }]);
    // A period before any of them: nothing created, nothing answered, the same backlog (open now).
    const past = (await report(admin, '?from=2026-01-05&to=2026-01-18')).body;
    expect(past.weekly).toEqual([
      { week: '2026-W02', weekStart: '2026-01-05', created: 0, resolved: 0 },
      { week: '2026-W03', weekStart: '2026-01-12', created: 0, resolved: 0 },
    ]);
    expect(past.backlog.byStatus.reduce((n, s) => n + s.count, 0)).toBe(4);
    expect(past.firstResponse.answered).toBe(0);
  });

  it('gives a team lead the teams they lead, without the confidential requests they may not see', async () => {
    const { status, body } = await report(lena);
    expect(status).toBe(200);
    expect(body.teams).toEqual(['support', 'support-leads']);
    // A, B and C; D (confidential, assigned to support) is not counted for someone outside
    // support and security; E (billing) is not the lead's.
    expect(body.weekly.at(-1)).toMatchObject({ created: 3, resolved: 1 });
    expect(body.backlog).toEqual({
      byStatus: [
        { status: 'open', count: 1 },
        { status: 'in_progress', count: 1 },
      ],
      byType: [
        { requestType: 'delivery-request', count: 1 },
        { requestType: 'report-a-bug', count: 1 },
      ],
    });
    const clocks = body.sla.reduce(
      (n, s) => n + s.firstResponse.met + s.firstResponse.breached + s.firstResponse.running,
      0,
    );
    expect(clocks).toBe(3);
    expect(body.firstResponse.answered).toBe(1);
    // A lead who is also of the support team sees D, and counts it.
    const both = person('leo', 'agent', { teams: ['support', 'support-leads'], name: 'Léo' });
    expect((await report(both)).body.weekly.at(-1)).toMatchObject({ created: 4 });
  });

  it('refuses customers, agents who lead no team, and teams one does not lead', async () => {
    expect(await report(claire)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await report(paul)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await report(lena, '?team=billing')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await api.call(undefined, 'GET', '/reports')).status).toBe(401);
  });

  it('refuses a period that does not hold', async () => {
    expect(await report(admin, '?from=2026-12-07&to=2026-12-01')).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
    expect(await report(admin, '?from=2026-02-30')).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await report(admin, '?from=2020-01-01&to=2026-01-01')).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
  });
});
