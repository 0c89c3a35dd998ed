import { makeEvent, type EventEnvelope } from '@woop/contracts';
import { planEmails, type PlanContext, type Recipient } from './recipients';

const customer = (userId: string, locale: 'fr' | 'en', active = true): Recipient => ({
  userId,
  email: `${userId}@enseigne.example`,
  fullName: userId[0]!.toUpperCase() + userId.slice(1),
  locale,
  active,
  role: 'customer',
  teams: [],
  status: active ? 'active' : 'deactivated',
});
const agent = (userId: string, locale: 'fr' | 'en', teams: string[], status: Recipient['status'] = 'active') => ({
  ...customer(userId, locale, status !== 'deactivated'),
  email: `${userId}@woop.example`,
  role: 'agent' as const,
  teams,
  status,
});

const people: Record<string, Recipient> = {
  claire: customer('claire', 'fr'),
  hugo: customer('hugo', 'en'),
  gone: customer('gone', 'fr', false),
  paul: agent('paul', 'fr', ['support']),
  sam: agent('sam', 'en', ['support', 'security']),
  sarah: agent('sarah', 'fr', ['security']),
  newbie: agent('newbie', 'fr', ['support', 'security'], 'invited'),
  left: agent('left', 'fr', ['support'], 'deactivated'),
  boss: { ...agent('boss', 'fr', ['security']), role: 'admin' },
};

/** As the store answers: active agents and admins of the team (the invited and deactivated are not). */
const teamAgents = async (team: string) =>
  Object.values(people)
    .filter((p) => p.role !== 'customer' && p.status === 'active' && p.teams.includes(team))
    .sort((a, b) => a.userId.localeCompare(b.userId));

function context(off: string[] = [], agentsOff: string[] = []): PlanContext {
  return {
    portalUrl: 'http://portal.example',
    recipient: async (id) => people[id],
    wantsEmails: async (userId) => !off.includes(userId),
    teamAgents,
    wantsAgentEmails: async (userId) => !agentsOff.includes(userId),
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

/** The customers' (and team mailboxes') emails; the agents' have keys of their own. */
const to = async (event: EventEnvelope, ctx = context()) =>
  (await planEmails(event, ctx)).filter((p) => !p.key.startsWith('agent:')).map((p) => p.address);

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

describe("who gets which agents' email", () => {
  const assigned = { assignment: { team: 'support', agentId: 'paul' } };
  const unassigned = { assignment: { team: 'support' } };
  const byClaire = { id: 'claire', name: 'Claire', role: 'customer' };
  const comment = (via?: string) =>
    ticketEvent(
      'ticket.comment_added',
      { visibility: 'public', body: 'CMD-42', author: byClaire, ...(via ? { via } : {}) },
      assigned,
    );
  const move = (from: string, to: string, ticket: Record<string, unknown> = assigned) =>
    ticketEvent('ticket.status_changed', { from, to, reason: 'Non' }, { status: to, ...ticket });
  const agentsOf = async (event: EventEnvelope, ctx = context()) =>
    (await planEmails(event, ctx)).filter((p) => p.key.startsWith('agent:'));
  const agentMails = async (event: EventEnvelope, ctx = context()) =>
    (await agentsOf(event, ctx)).map((p) => [p.address, p.locale, p.template, p.subjectKey]);

  it('tells the active agents of the team a request starts in, each in their language', async () => {
    const created = ticketEvent('ticket.created', {}, { status: 'open', ...unassigned });
    const plan = await agentsOf(created);
    expect(plan.map((p) => [p.key, p.recipientId, p.address, p.locale, p.template])).toEqual([
      ['agent:paul', 'paul', 'paul@woop.example', 'fr', 'agent-new-request'],
      ['agent:sam', 'sam', 'sam@woop.example', 'en', 'agent-new-request'],
    ]);
    expect(plan[0]?.data).toMatchObject({
      reference: 'SUPPORT-7',
      summary: 'Colis perdu',
      team: 'support',
      requester: 'Claire',
      name: 'Paul',
      ticketLink: 'http://portal.example/requests/SUPPORT-7',
    });
    // The customers' own email about it is unchanged.
    expect(await to(created)).toEqual(['claire@enseigne.example', 'hugo@enseigne.example']);
  });

  it('keeps a confidential request within its team, even from an agent of another team assigned to it', async () => {
    const created = ticketEvent('ticket.created', {}, { confidential: true, assignment: { team: 'security' } });
    expect((await agentMails(created)).map(([address]) => address)).toEqual([
      'boss@woop.example',
      'sam@woop.example',
      'sarah@woop.example',
    ]);
    expect(await to(created)).toEqual(['claire@enseigne.example']);
    // Assigned to an agent outside the team: that agent is not told either.
    const outside = move('done', 'in_progress', {
      confidential: true,
      assignment: { team: 'security', agentId: 'paul' },
    });
    expect(await agentMails(outside)).toEqual([]);
    const inside = move('done', 'in_progress', {
      confidential: true,
      assignment: { team: 'security', agentId: 'sarah' },
    });
    expect((await agentMails(inside)).map(([address]) => address)).toEqual(['sarah@woop.example']);
  });

  it("tells the assigned agent a customer's comment, and the information asked for, apart", async () => {
    const [plain] = await agentsOf(comment());
    expect(plain).toMatchObject({
      key: 'agent:paul',
      address: 'paul@woop.example',
      template: 'agent-ticket-update',
      subjectKey: 'agent-ticket-update.subject-comment',
      data: { kind: 'comment', author: 'Claire', body: 'CMD-42' },
    });
    expect(await agentMails(comment('provideInformation'))).toEqual([
      ['paul@woop.example', 'fr', 'agent-ticket-update', 'agent-ticket-update.subject-information'],
    ]);
    // The others who follow the request still read the information as a comment.
    expect(await to(comment('provideInformation'))).toEqual(['hugo@enseigne.example']);
    // Nobody is assigned: the team is not told of a comment.
    const loose = ticketEvent(
      'ticket.comment_added',
      { visibility: 'public', body: 'x', author: byClaire },
      unassigned,
    );
    expect(await agentMails(loose)).toEqual([]);
  });

  it("emails no agent about agents' own words, internal notes or the answer and question parts", async () => {
    const byPaul = { id: 'paul', name: 'Paul', role: 'agent' };
    expect(
      await agentMails(
        ticketEvent('ticket.comment_added', { visibility: 'public', body: 'x', author: byPaul }, assigned),
      ),
    ).toEqual([]);
    expect(
      await agentMails(
        ticketEvent('ticket.internal_note_added', { visibility: 'internal', body: 'x', author: byPaul }, assigned),
      ),
    ).toEqual([]);
    expect(await agentMails(comment('resolve'))).toEqual([]);
    expect(await agentMails(move('assigned', 'in_progress'))).toEqual([]);
    expect(await agentMails(move('waiting_for_customer', 'in_progress'))).toEqual([]);
  });

  it.each([
    ['resolved', 'in_progress', 'resolution-rejected'],
    ['rejected', 'open', 'rejection-contested'],
    ['done', 'in_progress', 'reopened'],
  ])('tells a move %s → %s to the assigned agent, or to the team when nobody is', async (from, to, kind) => {
    const [mine] = await agentsOf(move(from, to));
    expect(mine).toMatchObject({
      address: 'paul@woop.example',
      subjectKey: `agent-ticket-update.subject-${kind}`,
      data: { kind, reason: 'Non', unassigned: false },
    });
    const team = await agentsOf(move(from, to, unassigned));
    expect(team.map((p) => [p.address, p.data.unassigned])).toEqual([
      ['paul@woop.example', true],
      ['sam@woop.example', true],
    ]);
  });

  it('respects an agent turning the emails off, and never emails the author of the change', async () => {
    expect(await agentMails(move('done', 'in_progress'), context([], ['paul']))).toEqual([]);
    const team = await agentMails(move('done', 'in_progress', unassigned), context([], ['paul']));
    expect(team.map(([address]) => address)).toEqual(['sam@woop.example']);
    // Their per-ticket switch is the customers' one, not this.
    expect(await agentMails(move('done', 'in_progress'), context(['paul']))).toHaveLength(1);
    // An agent who files a request (or wrote the comment) is not told of it.
    const own = ticketEvent('ticket.created', {}, { requester: { id: 'sam', name: 'Sam' }, ...unassigned });
    expect((await agentMails(own)).map(([address]) => address)).toEqual(['paul@woop.example']);
    const samOnHers = ticketEvent(
      'ticket.comment_added',
      { visibility: 'public', body: 'x', author: { id: 'sam', name: 'Sam', role: 'customer' } },
      { assignment: { team: 'support', agentId: 'sam' } },
    );
    expect(await agentMails(samOnHers)).toEqual([]);
  });

  it('skips an assigned agent who is invited, deactivated or unknown', async () => {
    for (const agentId of ['newbie', 'left', 'nobody']) {
      expect(await agentMails(move('done', 'in_progress', { assignment: { team: 'support', agentId } }))).toEqual([]);
    }
  });
});
