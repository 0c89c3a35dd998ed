import { randomBytes } from 'node:crypto';
import {
  linkSealContext,
  makeEvent,
  makeTicketEvent,
  parseTicketEvent,
  type Actor,
  type EventEnvelope,
  type TicketChange,
  type TicketFacts,
  type TicketStatus,
} from '@woop/contracts';
import { seal, sealingKey, unseal } from '@woop/service-kit';
import { planEmails, planEventEmails, type PlanContext, type Recipient } from './plan';

const linkKey = sealingKey(randomBytes(32));

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
  // An erased person's tombstone: nothing personal, status `erased`.
  erased: {
    userId: 'erased',
    email: '',
    fullName: '',
    locale: 'fr',
    active: false,
    role: 'customer',
    teams: [],
    status: 'erased',
  },
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
    openLink: (type, address, sealed) => unseal(sealed, [linkKey], linkSealContext(type, address)),
    csatToken: (claims) => `token-of-${claims.reference}-${claims.userId}`,
  };
}

const FACTS: TicketFacts = {
  reference: 'SUPPORT-7',
  version: 3,
  status: 'in_progress',
  priority: 'medium',
  requestType: 'ask-a-question',
  organizationId: 'org-retailer',
  requester: { id: 'claire', name: 'Claire' },
  sharedWith: ['hugo', 'gone'],
  summary: 'Colis perdu',
  confidential: false,
  assignment: { team: 'support' },
  escalated: false,
};
const byClaire: Actor = { id: 'claire', name: 'Claire', role: 'customer' };
const byPaul: Actor = { id: 'paul', name: 'Paul', role: 'agent' };

/** A ticket event as the workflow publishes it, checked against the contract. */
const ticketEvent = (change: TicketChange, ticket: Partial<TicketFacts> = {}): EventEnvelope =>
  parseTicketEvent(makeTicketEvent(change, { ...FACTS, ...ticket }, 0, new Date('2026-11-30T08:00:00Z')));
const started = ticketEvent({
  type: 'ticket.started',
  data: { statusChange: { from: 'assigned', to: 'in_progress' }, actor: byPaul },
});
const created = (ticket: Partial<TicketFacts> = {}) =>
  ticketEvent({ type: 'ticket.created', data: { actor: byClaire } }, ticket);

/** The customers' (and team mailboxes') emails; the agents' have keys of their own. */
const to = async (event: EventEnvelope, ctx = context()) =>
  (await planEmails(event, ctx)).filter((p) => !p.key.startsWith('agent:')).map((p) => p.address);

describe('who gets which email', () => {
  it('sends status changes to the requester and active people it is shared with, in their language', async () => {
    const plan = await planEmails(started, context());
    expect(plan.map((p) => [p.address, p.locale, p.data.statusLabel])).toEqual([
      ['claire@enseigne.example', 'fr', 'En cours'],
      ['hugo@enseigne.example', 'en', 'In progress'],
    ]);
  });

  describe('"demande reçue" promises the first answer', () => {
    // Friday 4 December 2026, 17:00 in Paris; the workflow put the due time in the event.
    // Only the clock is faked: the planner's lookups still settle on their own.
    beforeEach(() =>
      jest.useFakeTimers({
        now: new Date('2026-12-04T16:00:00Z'),
        doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout'],
      }),
    );
    afterEach(() => jest.useRealTimers());
    const filed = (firstResponseDueAt?: string) =>
      ticketEvent({
        type: 'ticket.created',
        data: { actor: byClaire, ...(firstResponseDueAt ? { firstResponseDueAt } : {}) },
      });
    const promised = async (event: EventEnvelope) =>
      (await planEmails(event, context()))
        .filter((p) => p.template === 'ticket-created')
        .map((p) => [p.locale, p.data.firstAnswerDue]);

    it('at the due time the workflow computed, in Paris time and each person’s language', async () => {
      expect(await promised(filed('2026-12-07T11:00:00.000Z'))).toEqual([
        ['fr', 'lundi 7 décembre 2026 à 12:00'],
        ['en', 'Monday, 7 December 2026 at 12:00'],
      ]);
    });

    it('never once the time has passed (a late email), nor from an event without it', async () => {
      expect(await promised(filed('2026-12-04T15:59:00.000Z'))).toEqual([
        ['fr', undefined],
        ['en', undefined],
      ]);
      expect(await promised(filed())).toEqual([
        ['fr', undefined],
        ['en', undefined],
      ]);
    });
  });

  it('respects "notifications off" for that ticket', async () => {
    expect(await to(created(), context(['claire']))).toEqual(['hugo@enseigne.example']);
  });

  it('never sends a confidential ticket to anyone but its reporter', async () => {
    expect(await to(created({ confidential: true }))).toEqual(['claire@enseigne.example']);
  });

  it('never emails internal notes, and nobody their own comment', async () => {
    expect(await to(ticketEvent({ type: 'ticket.internal_note_added', data: { body: 'x', actor: byPaul } }))).toEqual(
      [],
    );
    expect(await to(ticketEvent({ type: 'ticket.commented', data: { body: 'x', actor: byClaire } }))).toEqual([
      'hugo@enseigne.example',
    ]);
    const reply = await planEmails(
      ticketEvent({ type: 'ticket.replied', data: { body: 'Vu', actor: byPaul } }),
      context(),
    );
    expect(reply.map((p) => [p.address, p.template, p.data.author, p.data.body])).toEqual([
      ['claire@enseigne.example', 'ticket-comment', 'Paul', 'Vu'],
      ['hugo@enseigne.example', 'ticket-comment', 'Paul', 'Vu'],
    ]);
  });

  it('tells only the people just added that a request was shared with them', async () => {
    const shared = ticketEvent({
      type: 'ticket.shared',
      data: { people: [{ id: 'hugo', name: 'Hugo' }], actor: byClaire },
    });
    const plan = await planEmails(shared, context());
    expect(plan.map((p) => [p.address, p.template, p.data.author])).toEqual([
      ['hugo@enseigne.example', 'ticket-shared', 'Claire'],
    ]);
    expect(
      await to(
        ticketEvent({ type: 'ticket.unshared', data: { people: [{ id: 'hugo', name: 'Hugo' }], actor: byClaire } }),
      ),
    ).toEqual([]);
  });

  it('sends one email per action: a question or an answer has its own, not a status one too', async () => {
    const asked = await planEmails(
      ticketEvent({
        type: 'ticket.information_requested',
        data: { question: 'N° ?', statusChange: { from: 'in_progress', to: 'waiting_for_customer' }, actor: byPaul },
      }),
      context(),
    );
    expect(asked.map((p) => [p.address, p.template, p.data.question])).toEqual([
      ['claire@enseigne.example', 'ticket-information-requested', 'N° ?'],
      ['hugo@enseigne.example', 'ticket-information-requested', 'N° ?'],
    ]);
    // The information provided: a comment to the others, the move to whoever gave it.
    const informed = await planEmails(
      ticketEvent({
        type: 'ticket.information_provided',
        data: { body: 'CMD-42', statusChange: { from: 'waiting_for_customer', to: 'in_progress' }, actor: byClaire },
      }),
      context(),
    );
    expect(informed.filter((p) => !p.key.startsWith('agent:')).map((p) => [p.address, p.template])).toEqual([
      ['claire@enseigne.example', 'ticket-status-changed'],
      ['hugo@enseigne.example', 'ticket-comment'],
    ]);
  });

  it('sends SLA alerts to the teams, not the customer', async () => {
    const plan = await planEmails(
      ticketEvent({
        type: 'ticket.sla_breached',
        data: {
          clock: 'resolution',
          targetMinutes: 480,
          escalationTeam: 'support-leads',
          priority: 'high',
          priorityChange: { from: 'high', to: 'critical' },
          actor: { id: 'system', name: 'Woop support', role: 'system' },
        },
      }),
      context(),
    );
    expect(plan.map((p) => [p.address, p.data.priority])).toEqual([
      ['support@woop.example', 'high'],
      ['support-leads@woop.example', 'high'],
    ]);
  });

  it('sends the answer to validate, once per person', async () => {
    const resolved = ticketEvent({
      type: 'ticket.resolved',
      data: {
        answer: 'ok',
        validationDueAt: '2026-12-07T09:00:00Z',
        statusChange: { from: 'in_progress', to: 'resolved' },
        actor: byPaul,
      },
    });
    const plan = await planEmails(resolved, context());
    expect(plan.map((p) => [p.address, p.template, p.data.answer])).toEqual([
      ['claire@enseigne.example', 'ticket-resolved', 'ok'],
      ['hugo@enseigne.example', 'ticket-resolved', 'ok'],
    ]);
  });

  it('reads the events of version 1 still on the topic, and skips versions it does not know', async () => {
    const v1 = (type: string, data: Record<string, unknown>) =>
      makeEvent({
        id: `SUPPORT-7:4:0:${type}`,
        source: 'test',
        type,
        subject: 'SUPPORT-7',
        data: { ...data, ticket: FACTS },
      });
    // The parts of a version 1 resolve its ticket.resolved says are dropped; the status moves
    // only a customer makes are told to the agents as before.
    expect(await planEmails(v1('ticket.status_changed', { from: 'in_progress', to: 'resolved' }), context())).toEqual(
      [],
    );
    const part = { body: 'x', visibility: 'public', author: { id: 'paul', name: 'Paul', role: 'agent' } };
    expect(await planEmails(v1('ticket.comment_added', { ...part, via: 'resolve' }), context())).toEqual([]);
    const reopened = await planEmails(
      v1('ticket.status_changed', { from: 'done', to: 'in_progress', reason: 'Non' }),
      context(),
    );
    expect(reopened.map((p) => [p.address, p.template])).toEqual([
      ['claire@enseigne.example', 'ticket-status-changed'],
      ['hugo@enseigne.example', 'ticket-status-changed'],
      ['paul@woop.example', 'agent-ticket-update'],
      ['sam@woop.example', 'agent-ticket-update'],
    ]);
    expect(await planEmails({ ...started, dataversion: 3 }, context())).toEqual([]);
    const unreadable: string[] = [];
    const broken = { ...started, data: { ...started.data, statusChange: undefined } };
    expect(await planEmails(broken, { ...context(), unreadable: (e) => unreadable.push(e.id) })).toEqual([]);
    expect(unreadable).toEqual([started.id]);
  });

  const LINK = 'http://portal.example/signup/complete?token=wpl_secret';
  const signupEvent = (data: Record<string, unknown>, dataversion?: number) =>
    makeEvent({
      id: 'e1',
      source: 'identity',
      type: 'user.signup_requested',
      subject: 'new@enseigne.example',
      ...(dataversion ? { dataversion } : {}),
      data: {
        email: 'new@enseigne.example',
        expiresAt: new Date(Date.now() + 1_800_000).toISOString(),
        locale: 'en',
        ...data,
      },
    });
  const sealedFor = (address: string, link = LINK) =>
    seal(link, linkKey, linkSealContext('user.signup_requested', address));

  it('sends account emails to the address in the event, with the link it opens (version 2)', async () => {
    const [plan] = await planEmails(signupEvent({ sealedLink: sealedFor('new@enseigne.example') }, 2), context());
    expect(plan).toMatchObject({
      address: 'new@enseigne.example',
      locale: 'en',
      template: 'signup-link',
      data: { link: LINK, expiresInMinutes: 30 },
    });
  });

  it("opens an invitation's link, sealed for the invited person's address", async () => {
    const user = { ...customer('newbie', 'en'), userId: 'u9', email: 'newbie@enseigne.example' };
    const link = 'http://portal.example/invitation?token=wpl_x';
    const event = makeEvent({
      id: 'e2',
      source: 'identity',
      type: 'user.invited',
      subject: 'u9',
      dataversion: 2,
      data: {
        user: { ...user, orgAdmin: false, status: 'invited' },
        sealedLink: seal(link, linkKey, linkSealContext('user.invited', 'newbie@enseigne.example')),
        expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        invitedBy: 'admin',
      },
    });
    expect(await planEmails(event, context())).toEqual([
      expect.objectContaining({
        address: 'newbie@enseigne.example',
        template: 'invitation',
        data: { link, expiresInDays: 3 },
      }),
    ]);
  });

  it('tells a person their role, teams or organisation changed, never their own profile or language', async () => {
    const user = { ...customer('claire', 'fr'), userId: 'u1', orgAdmin: false, status: 'active' };
    const updated = (changes: string[], by: string) =>
      makeEvent({
        id: `e-${changes.join('-')}-${by}`,
        source: 'identity',
        type: 'user.updated',
        subject: 'u1',
        data: { user, changes, by },
      });
    // The footer's language switch and the profile form: the person themself, no security email.
    expect(await planEmails(updated(['locale'], 'u1'), context())).toEqual([]);
    expect(await planEmails(updated(['fullName', 'locale'], 'u1'), context())).toEqual([]);
    // An admin correcting a name is not a change of rights either.
    expect(await planEmails(updated(['fullName'], 'admin'), context())).toEqual([]);
    // Rights changed by someone else: told once.
    expect(await planEmails(updated(['role', 'teams'], 'admin'), context())).toEqual([
      expect.objectContaining({
        address: user.email,
        template: 'account-changed',
        data: expect.objectContaining({ change: 'updated' }),
      }),
    ]);
    expect(await planEmails(updated(['organizationId', 'orgAdmin'], 'agent-7'), context())).toHaveLength(1);
  });

  it('still reads the raw link of version 1 during a rollout', async () => {
    const [plan] = await planEmails(signupEvent({ link: LINK }), context());
    expect(plan).toMatchObject({ template: 'signup-link', data: { link: LINK } });
  });

  it('sends nothing for a link sealed for another address, a link to another site or an unknown version', async () => {
    const unreadable: string[] = [];
    const ctx = { ...context(), unreadable: (_e: EventEnvelope, err: unknown) => unreadable.push(String(err)) };
    // A sealed link copied into an event for the attacker's own address does not open.
    expect(await planEmails(signupEvent({ sealedLink: sealedFor('attacker@evil.example') }, 2), ctx)).toEqual([]);
    expect(await planEmails(signupEvent({ link: 'https://evil.example/signup?token=x' }), ctx)).toEqual([]);
    const elsewhere = sealedFor('new@enseigne.example', 'https://evil.example/x');
    expect(await planEmails(signupEvent({ sealedLink: elsewhere }, 2), ctx)).toEqual([]);
    expect(await planEmails(signupEvent({ sealedLink: sealedFor('new@enseigne.example') }, 3), ctx)).toEqual([]);
    expect(unreadable).toEqual([
      expect.stringContaining('does not open'),
      expect.stringContaining('outside the portal'),
      expect.stringContaining('outside the portal'),
      expect.stringContaining('version 3'),
    ]);
  });
});

describe("who gets which agents' email", () => {
  const assigned = { assignment: { team: 'support', agentId: 'paul' } };
  const unassigned = { assignment: { team: 'support' } };
  const comment = (ticket: Partial<TicketFacts> = assigned, actor: Actor = byClaire) =>
    ticketEvent({ type: 'ticket.commented', data: { body: 'CMD-42', actor } }, ticket);
  const informed = ticketEvent(
    {
      type: 'ticket.information_provided',
      data: { body: 'CMD-42', statusChange: { from: 'waiting_for_customer', to: 'in_progress' }, actor: byClaire },
    },
    assigned,
  );
  const CUSTOMER_MOVES = {
    'resolution-rejected': ['ticket.resolution_rejected', 'resolved', 'in_progress'],
    'rejection-contested': ['ticket.rejection_contested', 'rejected', 'open'],
    reopened: ['ticket.reopened', 'done', 'in_progress'],
  } as const;
  const move = (kind: keyof typeof CUSTOMER_MOVES, ticket: Partial<TicketFacts> = assigned) => {
    const [type, from, to] = CUSTOMER_MOVES[kind];
    const statusChange = { from: from as TicketStatus, to: to as TicketStatus };
    return ticketEvent({ type, data: { reason: 'Non', statusChange, actor: byClaire } }, { status: to, ...ticket });
  };
  const agentsOf = async (event: EventEnvelope, ctx = context()) =>
    (await planEmails(event, ctx)).filter((p) => p.key.startsWith('agent:'));
  const agentMails = async (event: EventEnvelope, ctx = context()) =>
    (await agentsOf(event, ctx)).map((p) => [p.address, p.locale, p.template, p.subjectKey]);

  it('tells the active agents of the team a request starts in, each in their language', async () => {
    const plan = await agentsOf(created({ status: 'open', ...unassigned }));
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
    expect(await to(created({ status: 'open', ...unassigned }))).toEqual([
      'claire@enseigne.example',
      'hugo@enseigne.example',
    ]);
  });

  it('keeps a confidential request within its team, even from an agent of another team assigned to it', async () => {
    const secret = created({ confidential: true, assignment: { team: 'security' } });
    expect((await agentMails(secret)).map(([address]) => address)).toEqual([
      'boss@woop.example',
      'sam@woop.example',
      'sarah@woop.example',
    ]);
    expect(await to(secret)).toEqual(['claire@enseigne.example']);
    // Assigned to an agent outside the team: that agent is not told either.
    const outside = move('reopened', {
      confidential: true,
      assignment: { team: 'security', agentId: 'paul' },
    });
    expect(await agentMails(outside)).toEqual([]);
    const inside = move('reopened', {
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
    expect(await agentMails(informed)).toEqual([
      ['paul@woop.example', 'fr', 'agent-ticket-update', 'agent-ticket-update.subject-information'],
    ]);
    // The others who follow the request still read the information as a comment.
    expect((await planEmails(informed, context())).find((p) => p.key === 'hugo')?.template).toBe('ticket-comment');
    // Nobody is assigned: the team is not told of a comment.
    expect(await agentMails(comment(unassigned))).toEqual([]);
  });

  it("emails no agent about agents' own words, internal notes, answers or agents' moves", async () => {
    expect(
      await agentMails(ticketEvent({ type: 'ticket.replied', data: { body: 'x', actor: byPaul } }, assigned)),
    ).toEqual([]);
    expect(
      await agentMails(
        ticketEvent({ type: 'ticket.internal_note_added', data: { body: 'x', actor: byPaul } }, assigned),
      ),
    ).toEqual([]);
    const resolved = ticketEvent(
      {
        type: 'ticket.resolved',
        data: {
          answer: 'x',
          validationDueAt: '2026-12-07T09:00:00Z',
          statusChange: { from: 'in_progress', to: 'resolved' },
          actor: byPaul,
        },
      },
      assigned,
    );
    expect(await agentMails(resolved)).toEqual([]);
    expect(await agentMails(started)).toEqual([]);
  });

  it.each([['resolution-rejected'], ['rejection-contested'], ['reopened']] as const)(
    'tells %s to the assigned agent, or to the team when nobody is',
    async (kind) => {
      const [mine] = await agentsOf(move(kind));
      expect(mine).toMatchObject({
        address: 'paul@woop.example',
        subjectKey: `agent-ticket-update.subject-${kind}`,
        data: { kind, reason: 'Non', unassigned: false },
      });
      const team = await agentsOf(move(kind, unassigned));
      expect(team.map((p) => [p.address, p.data.unassigned])).toEqual([
        ['paul@woop.example', true],
        ['sam@woop.example', true],
      ]);
    },
  );

  it('respects an agent turning the emails off, and never emails the author of the change', async () => {
    expect(await agentMails(move('reopened'), context([], ['paul']))).toEqual([]);
    const team = await agentMails(move('reopened', unassigned), context([], ['paul']));
    expect(team.map(([address]) => address)).toEqual(['sam@woop.example']);
    // Their per-ticket switch is the customers' one, not this.
    expect(await agentMails(move('reopened'), context(['paul']))).toHaveLength(1);
    // An agent who files a request (or wrote the comment) is not told of it.
    const sam: Actor = { id: 'sam', name: 'Sam', role: 'customer' };
    const own = ticketEvent(
      { type: 'ticket.created', data: { actor: sam } },
      { requester: { id: 'sam', name: 'Sam' }, ...unassigned },
    );
    expect((await agentMails(own)).map(([address]) => address)).toEqual(['paul@woop.example']);
    expect(await agentMails(comment({ assignment: { team: 'support', agentId: 'sam' } }, sam))).toEqual([]);
  });

  it('skips an assigned agent who is invited, deactivated or unknown', async () => {
    for (const agentId of ['newbie', 'left', 'nobody']) {
      expect(await agentMails(move('reopened', { assignment: { team: 'support', agentId } }))).toEqual([]);
    }
  });
});

describe('who is waited for: a person notifications does not know yet', () => {
  const awaited = async (event: EventEnvelope) => {
    const plan = await planEventEmails(event, context());
    return { to: plan.emails.map((p) => p.key), awaiting: plan.awaiting };
  };

  it('waits for an unknown requester or person it is shared with, and sends the others now', async () => {
    const event = created({ requester: { id: 'nina', name: 'Nina' }, sharedWith: ['hugo', 'newcomer'] });
    expect(await awaited(event)).toEqual({
      to: ['hugo', 'agent:paul', 'agent:sam'],
      awaiting: [
        { key: 'nina', userId: 'nina', template: 'ticket-created' },
        { key: 'newcomer', userId: 'newcomer', template: 'ticket-created' },
      ],
    });
    // TERMINÉ: the unknown requester's email is the one asking for a rating.
    const done = ticketEvent(
      {
        type: 'ticket.resolution_accepted',
        data: { statusChange: { from: 'resolved', to: 'done' }, actor: { id: 'nina', name: 'Nina', role: 'customer' } },
      },
      { requester: { id: 'nina', name: 'Nina' }, sharedWith: [], status: 'done' },
    );
    expect((await awaited(done)).awaiting).toEqual([{ key: 'nina', userId: 'nina', template: 'ticket-csat' }]);
  });

  it('never waits for an erased person, nor sends them anything', async () => {
    const event = created({ requester: { id: 'erased', name: 'Personne supprimée' }, sharedWith: ['hugo'] });
    expect(await awaited(event)).toEqual({ to: ['hugo', 'agent:paul', 'agent:sam'], awaiting: [] });
    const reopened = ticketEvent(
      {
        type: 'ticket.reopened',
        data: { reason: 'Non', statusChange: { from: 'done', to: 'in_progress' }, actor: byClaire },
      },
      { status: 'in_progress', assignment: { team: 'support', agentId: 'erased' } },
    );
    expect((await awaited(reopened)).awaiting).toEqual([]);
    expect((await awaited(reopened)).to.filter((k) => k.startsWith('agent:'))).toEqual([]);
  });

  it('waits for an unknown assigned agent, unless they made the change; never for its author', async () => {
    const commented = (actor: Actor) =>
      ticketEvent(
        { type: 'ticket.commented', data: { body: 'CMD-42', actor } },
        { assignment: { team: 'support', agentId: 'newagent' } },
      );
    expect((await awaited(commented(byClaire))).awaiting).toEqual([
      { key: 'agent:newagent', userId: 'newagent', template: 'agent-ticket-update' },
    ]);
    // The comment's author is not emailed their own words, known or not.
    expect(
      (await awaited(commented({ id: 'newagent', name: 'Nouvel agent', role: 'customer' }))).awaiting.map((a) => a.key),
    ).toEqual([]);
  });
});
