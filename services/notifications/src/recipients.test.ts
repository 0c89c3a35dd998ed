import { makeEvent, type EventEnvelope } from '@woop/contracts';
import { planEmails, type PlanContext, type Recipient } from './recipients';

const people: Record<string, Recipient> = {
  claire: { userId: 'claire', email: 'claire@enseigne.example', fullName: 'Claire', locale: 'fr', active: true },
  hugo: { userId: 'hugo', email: 'hugo@enseigne.example', fullName: 'Hugo', locale: 'en', active: true },
  gone: { userId: 'gone', email: 'gone@enseigne.example', fullName: 'Gone', locale: 'fr', active: false },
};

function context(off: string[] = []): PlanContext {
  return {
    portalUrl: 'http://portal.example',
    recipient: async (id) => people[id],
    wantsEmails: async (userId) => !off.includes(userId),
    teamAddress: (team) => (team === 'support' || team === 'support-leads' ? `${team}@woop.example` : undefined),
    linkTtl: { signupMinutes: 30, inviteDays: 3 },
  };
}

const ticketEvent = (
  type: string,
  data: Record<string, unknown>,
  ticket: Record<string, unknown> = {},
): EventEnvelope =>
  makeEvent({
    id: `SUPPORT-7:3:0:${type}`,
    source: 'test',
    type,
    subject: 'SUPPORT-7',
    data: {
      ...data,
      ticket: {
        reference: 'SUPPORT-7',
        status: 'in_progress',
        priority: 'medium',
        summary: 'Colis perdu',
        confidential: false,
        requester: { id: 'claire', name: 'Claire' },
        sharedWith: ['hugo', 'gone'],
        assignment: { team: 'support' },
        ...ticket,
      },
    },
  });

const to = async (event: EventEnvelope, ctx = context()) => (await planEmails(event, ctx)).map((p) => p.address);

describe('who gets which email', () => {
  it('sends status changes to the requester and active people it is shared with, in their language', async () => {
    const plan = await planEmails(
      ticketEvent('ticket.status_changed', { from: 'assigned', to: 'in_progress' }),
      context(),
    );
    expect(plan.map((p) => [p.address, p.locale, p.data.statusLabel])).toEqual([
      ['claire@enseigne.example', 'fr', 'En cours'],
      ['hugo@enseigne.example', 'en', 'In progress'],
    ]);
  });

  it('respects "notifications off" for that ticket', async () => {
    expect(await to(ticketEvent('ticket.created', {}), context(['claire']))).toEqual(['hugo@enseigne.example']);
  });

  it('never sends a confidential ticket to anyone but its reporter', async () => {
    expect(await to(ticketEvent('ticket.created', {}, { confidential: true }))).toEqual(['claire@enseigne.example']);
  });

  it('never emails internal notes, and nobody their own comment', async () => {
    expect(await to(ticketEvent('ticket.internal_note_added', { visibility: 'internal', body: 'x' }))).toEqual([]);
    expect(
      await to(
        ticketEvent('ticket.comment_added', {
          visibility: 'public',
          body: 'x',
          author: { id: 'claire', name: 'Claire' },
        }),
      ),
    ).toEqual(['hugo@enseigne.example']);
  });

  it('tells only the people just added that a request was shared with them', async () => {
    const shared = ticketEvent('ticket.shared', {
      people: [{ id: 'hugo', name: 'Hugo' }],
      by: { id: 'claire', name: 'Claire' },
    });
    const plan = await planEmails(shared, context());
    expect(plan.map((p) => [p.address, p.template, p.data.author])).toEqual([
      ['hugo@enseigne.example', 'ticket-shared', 'Claire'],
    ]);
    expect(await to(ticketEvent('ticket.unshared', { people: [{ id: 'hugo', name: 'Hugo' }] }))).toEqual([]);
  });

  it('does not announce an answer or a question twice (they have their own email)', async () => {
    const part = (via: string) =>
      ticketEvent('ticket.comment_added', { visibility: 'public', body: 'x', author: { id: 'paul' }, via });
    expect(await to(part('resolve'))).toEqual([]);
    expect(await to(part('requestInformation'))).toEqual([]);
  });

  it('sends SLA alerts to the teams, not the customer', async () => {
    const plan = await planEmails(
      ticketEvent('ticket.sla_breached', { clock: 'resolution', escalationTeam: 'support-leads', priority: 'high' }),
      context(),
    );
    expect(plan.map((p) => p.address)).toEqual(['support@woop.example', 'support-leads@woop.example']);
  });

  it('does not double the resolution email with a status email', async () => {
    expect(await to(ticketEvent('ticket.status_changed', { from: 'in_progress', to: 'resolved' }))).toEqual([]);
    expect(
      await to(ticketEvent('ticket.resolved', { answer: 'ok', validationDueAt: '2026-12-07T09:00:00Z' })),
    ).toHaveLength(2);
  });

  it('sends account emails to the address in the event', async () => {
    const event = makeEvent({
      id: 'e1',
      source: 'identity',
      type: 'user.signup_requested',
      subject: 'new@enseigne.example',
      data: {
        email: 'new@enseigne.example',
        link: 'http://x/signup?token=t',
        expiresAt: new Date(Date.now() + 1_800_000).toISOString(),
        locale: 'en',
      },
    });
    const [plan] = await planEmails(event, context());
    expect(plan).toMatchObject({
      address: 'new@enseigne.example',
      locale: 'en',
      template: 'signup-link',
      data: { expiresInMinutes: 30 },
    });
  });
});
