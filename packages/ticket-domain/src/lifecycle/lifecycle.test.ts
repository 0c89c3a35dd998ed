import {
  SYSTEM_ACTOR,
  TICKET_STATE_HARD_MAX,
  TICKET_STATE_MAX,
  TICKET_TEXT_MAX,
  type Actor,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketState,
  type TicketStatus,
} from '@woop/contracts';
import { DEFAULT_SLA_POLICIES } from '../policies';
import { AGENT, CUSTOMER, newTicket, testPolicy } from '../testing/fixtures';
import { advanceTime, allowedActions, applyAction, createTicket, nextDueAt, refusal } from '.';

const T0 = new Date('2026-11-30T08:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function act<A extends TicketActionName>(
  state: TicketState,
  actor: Actor,
  action: A,
  payload: TicketActionPayloads[A],
  at = T0,
) {
  const why = refusal(state, actor, action, payload);
  if (why) throw new Error(why.message);
  return applyAction(state, actor, action, payload, at);
}

const fresh = () => createTicket(newTicket(), T0).state;

/** Drives a new ticket to `status` through the customer- and agent-visible path. */
function ticketIn(status: TicketStatus): TicketState {
  const s = fresh();
  if (status === 'open') return s;
  act(s, AGENT, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'a-paul' } });
  if (status === 'assigned') return s;
  act(s, AGENT, 'start', {});
  if (status === 'in_progress') return s;
  if (status === 'waiting_for_customer') {
    act(s, AGENT, 'requestInformation', { question: 'Quel est le numéro de commande ?' });
    return s;
  }
  if (status === 'rejected' || status === 'closed') {
    act(s, AGENT, 'reject', { reason: 'Hors périmètre' });
    if (status === 'closed') act(s, CUSTOMER, 'acceptRejection', {});
    return s;
  }
  act(s, AGENT, 'resolve', { answer: 'Livrée ce matin.' });
  if (status === 'resolved') return s;
  act(s, CUSTOMER, 'acceptResolution', {});
  return s;
}

describe('ticket lifecycle: who may do what in which status', () => {
  // The product's table (shared/design/product.md, "Statuses and transitions").
  const expected: Record<TicketStatus, { customer: TicketActionName[]; agent: TicketActionName[] }> = {
    open: {
      customer: ['comment', 'share', 'attach'],
      agent: [
        'qualify',
        'requestInformation',
        'reply',
        'addInternalNote',
        'changePriority',
        'reject',
        'share',
        'attach',
      ],
    },
    assigned: {
      customer: ['comment', 'share', 'attach'],
      agent: ['assign', 'start', 'reply', 'addInternalNote', 'changePriority', 'share', 'attach'],
    },
    in_progress: {
      customer: ['comment', 'share', 'attach'],
      agent: [
        'assign',
        'requestInformation',
        'reply',
        'addInternalNote',
        'changePriority',
        'resolve',
        'reject',
        'share',
        'attach',
      ],
    },
    waiting_for_customer: {
      customer: ['provideInformation', 'comment', 'share', 'attach'],
      agent: ['reply', 'addInternalNote', 'changePriority', 'share', 'attach'],
    },
    resolved: {
      customer: ['comment', 'acceptResolution', 'rejectResolution', 'share', 'attach'],
      agent: ['reply', 'addInternalNote', 'share', 'attach'],
    },
    rejected: {
      customer: ['comment', 'acceptRejection', 'contestRejection', 'share', 'attach'],
      agent: ['reply', 'addInternalNote', 'share', 'attach'],
    },
    done: {
      customer: ['comment', 'reopen', 'rate', 'share', 'attach'],
      agent: ['reply', 'addInternalNote', 'share', 'attach'],
    },
    closed: { customer: [], agent: [] },
  };

  it.each(Object.keys(expected) as TicketStatus[])('in %s', (status) => {
    const state = ticketIn(status);
    expect(state.status).toBe(status);
    expect(allowedActions(state, 'customer')).toEqual(expected[status].customer);
    expect(allowedActions(state, 'agent')).toEqual(expected[status].agent);
    expect(allowedActions(state, 'admin')).toEqual(expected[status].agent);
  });

  it('refuses an action the role may never take, naming what is allowed', () => {
    const state = fresh();
    expect(refusal(state, CUSTOMER, 'qualify', { priority: 'high', billable: false })).toEqual({
      code: 'role_not_allowed',
      action: 'qualify',
      status: 'open',
      role: 'customer',
      allowed: ['comment', 'share', 'attach'],
      message: 'A customer may not qualify a ticket.',
    });
    expect(refusal(state, AGENT, 'acceptResolution', {})?.code).toBe('role_not_allowed');
  });

  it('refuses an action the status does not allow now', () => {
    const why = refusal(ticketIn('in_progress'), CUSTOMER, 'reopen', { reason: 'encore' });
    expect(why).toMatchObject({
      code: 'action_not_allowed_in_status',
      status: 'in_progress',
      allowed: ['comment', 'share', 'attach'],
    });
    expect(why?.message).toMatch(/reopen is not possible while the ticket is in_progress; allowed now: comment/);
  });

  it('refuses text beyond the conversation limit, and keeps the ticket moving', () => {
    const s = ticketIn('in_progress');
    const bytes = () => new TextEncoder().encode(JSON.stringify(s)).length;
    // The longest replies, in a text of two bytes a character, until the next one would not fit.
    const long = 'é'.repeat(TICKET_TEXT_MAX);
    while (bytes() + 2 * TICKET_TEXT_MAX <= TICKET_STATE_MAX) act(s, AGENT, 'reply', { body: long });
    expect(bytes()).toBeGreaterThan(TICKET_STATE_MAX - 3 * 2 * TICKET_TEXT_MAX);
    const full = refusal(s, AGENT, 'reply', { body: long });
    expect(full).toMatchObject({ code: 'conversation_limit_reached', status: 'in_progress' });
    expect(full?.message).toMatch(new RegExp(`^${s.reference} holds as much text as a request may`));
    expect(refusal(s, CUSTOMER, 'comment', { body: long })?.code).toBe('conversation_limit_reached');
    // A short comment still fits while the state is under the limit by more than its size.
    expect(refusal(s, CUSTOMER, 'comment', { body: 'Merci' })).toBeUndefined();
    // Actions without text, and answers (up to the hard limit), still go through.
    expect(refusal(s, AGENT, 'changePriority', { priority: 'high' })).toBeUndefined();
    act(s, AGENT, 'resolve', { answer: long });
    expect(s.status).toBe('resolved');
    act(s, CUSTOMER, 'acceptResolution', {});
    expect(s.status).toBe('done');
    expect(TICKET_STATE_HARD_MAX).toBeLessThan(2 * 1024 * 1024); // Temporal's payload limit
  });

  it('refuses to assign an unqualified ticket', () => {
    expect(refusal(fresh(), AGENT, 'assign', { agentId: 'a-paul' })?.message).toMatch(/before it is qualified/);
  });

  it('refuses invalid payloads', () => {
    const s = ticketIn('in_progress');
    // The contract's payload schemas (packages/contracts/src/tickets/actions.ts), field by field.
    expect(refusal(s, AGENT, 'reject', { reason: '   ' })).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringMatching(/^reason: /),
    });
    expect(refusal(s, AGENT, 'changePriority', { priority: 'urgent' as never })?.code).toBe('invalid_payload');
    expect(refusal(s, AGENT, 'assign', {})?.message).toBe('agentId: an agent or a team is required');
    expect(refusal(s, AGENT, 'reply', { body: 'x'.repeat(20_001) })?.message).toMatch(/^body: .*20000/);
    expect(refusal(s, AGENT, 'reply', undefined as never)?.message).toMatch(/^body: /);
  });
});

describe('ticket lifecycle: transitions', () => {
  it('creates OUVERT with the default team, version 1 and a created entry', () => {
    const { state, changes } = createTicket(newTicket({ defaultTeam: 'security', confidential: true }), T0);
    expect(state).toMatchObject({ status: 'open', version: 1, assignment: { team: 'security' }, confidential: true });
    expect(state.activity).toEqual([
      expect.objectContaining({ seq: 1, kind: 'created', actor: CUSTOMER, to: 'open', visibility: 'public' }),
    ]);
    // The first answer's due time travels with the event, for the "demande reçue" email.
    expect(changes).toEqual([
      { type: 'ticket.created', data: { actor: CUSTOMER, firstResponseDueAt: '2026-11-30T12:00:00.000Z' } },
    ]);
  });

  it('says when the first answer is due on the business calendar: filed Friday 17:00, due Monday 12:00 (4 h)', () => {
    // Friday 4 Dec 2026, 17:00 in Paris: one business hour that day, three on Monday from 9:00.
    const filed = new Date('2026-12-04T16:00:00Z');
    const { changes } = createTicket(newTicket({ slaPolicy: DEFAULT_SLA_POLICIES.standard }), filed);
    expect(changes[0]?.data).toMatchObject({ firstResponseDueAt: '2026-12-07T11:00:00.000Z' });
  });

  it('walks OUVERT → ATTRIBUÉ → EN COURS → RÉSOLU → TERMINÉ → EN COURS with one version per action', () => {
    const s = fresh();
    act(s, AGENT, 'qualify', {
      priority: 'high',
      billable: true,
      requestType: 'report-a-bug',
      assignment: { team: 'support' },
    });
    expect(s).toMatchObject({
      status: 'assigned',
      priority: 'high',
      billable: true,
      requestType: 'report-a-bug',
      version: 2,
    });
    act(s, AGENT, 'assign', { agentId: 'a-paul' });
    expect(s).toMatchObject({ status: 'assigned', assignment: { agentId: 'a-paul', team: 'support' } });
    act(s, AGENT, 'start', {});
    const changes = act(s, AGENT, 'resolve', { answer: 'Corrigé en production.' });
    expect(s.status).toBe('resolved');
    // One event says it all: the answer, the move and when validation is due.
    expect(changes).toEqual([
      {
        type: 'ticket.resolved',
        data: {
          answer: 'Corrigé en production.',
          validationDueAt: s.validationDueAt,
          statusChange: { from: 'in_progress', to: 'resolved' },
          actor: AGENT,
        },
      },
    ]);
    expect(s.activity.slice(-2).map((e) => e.kind)).toEqual(['comment', 'status_changed']);
    act(s, CUSTOMER, 'acceptResolution', {});
    expect(s.status).toBe('done');
    act(s, CUSTOMER, 'reopen', { reason: 'Le bug est revenu' });
    expect(s).toMatchObject({ status: 'in_progress', version: 7 });
    const last = s.activity.at(-1);
    expect(last).toMatchObject({
      kind: 'status_changed',
      from: 'done',
      to: 'in_progress',
      reason: 'Le bug est revenu',
      actor: CUSTOMER,
    });
  });

  it('returns from EN ATTENTE CLIENT to where it was', () => {
    const fromOpen = fresh();
    act(fromOpen, AGENT, 'requestInformation', { question: 'Numéro de commande ?' });
    act(fromOpen, CUSTOMER, 'provideInformation', { body: 'CMD-42' });
    expect(fromOpen.status).toBe('open');
    const fromWork = ticketIn('in_progress');
    act(fromWork, AGENT, 'requestInformation', { question: 'Capture d’écran ?' });
    expect(fromWork.status).toBe('waiting_for_customer');
    act(fromWork, CUSTOMER, 'provideInformation', { body: 'Voici.' });
    expect(fromWork.status).toBe('in_progress');
  });

  it('handles the rejection branch: refuse → OUVERT unqualified; validate → CLÔTURÉ', () => {
    const contested = ticketIn('rejected');
    expect(contested.rejection?.reason).toBe('Hors périmètre');
    act(contested, CUSTOMER, 'contestRejection', { reason: 'C’est bien un bug' });
    expect(contested).toMatchObject({ status: 'open', qualified: false });
    const accepted = ticketIn('rejected');
    act(accepted, CUSTOMER, 'acceptRejection', {});
    expect(accepted.status).toBe('closed');
  });

  it('sends a rejected answer back to EN COURS with the reason', () => {
    const s = ticketIn('resolved');
    act(s, CUSTOMER, 'rejectResolution', { reason: 'Toujours pas livré' });
    expect(s.status).toBe('in_progress');
    expect(s.resolution).toBeUndefined();
  });

  it('tells in its events what a customer did, for the agents to be emailed', () => {
    const info = ticketIn('in_progress');
    act(info, AGENT, 'requestInformation', { question: 'Numéro de commande ?' });
    expect(act(info, CUSTOMER, 'provideInformation', { body: 'CMD-42' })).toEqual([
      {
        type: 'ticket.information_provided',
        data: {
          body: 'CMD-42',
          statusChange: { from: 'waiting_for_customer', to: 'in_progress' },
          actor: CUSTOMER,
        },
      },
    ]);
    expect(act(info, CUSTOMER, 'comment', { body: 'Merci' })).toEqual([
      { type: 'ticket.commented', data: { body: 'Merci', actor: CUSTOMER } },
    ]);
    const moves: Array<[TicketStatus, TicketActionName, TicketStatus, string]> = [
      ['resolved', 'rejectResolution', 'in_progress', 'ticket.resolution_rejected'],
      ['rejected', 'contestRejection', 'open', 'ticket.rejection_contested'],
      ['done', 'reopen', 'in_progress', 'ticket.reopened'],
    ];
    for (const [from, action, to, type] of moves) {
      expect(act(ticketIn(from), CUSTOMER, action, { reason: 'Non' })).toEqual([
        { type, data: { reason: 'Non', statusChange: { from, to }, actor: CUSTOMER } },
      ]);
    }
  });

  it('says in one event what a qualification did: priority, assignment and the move', () => {
    const s = fresh();
    expect(act(s, AGENT, 'qualify', { priority: 'high', billable: true, assignment: { agentId: 'a-paul' } })).toEqual([
      {
        type: 'ticket.qualified',
        data: {
          priority: 'high',
          billable: true,
          requestType: 'ask-a-question',
          fromType: 'ask-a-question',
          priorityChange: { from: 'medium', to: 'high' },
          assignment: { agentId: 'a-paul', team: 'support' },
          statusChange: { from: 'open', to: 'assigned' },
          actor: AGENT,
        },
      },
    ]);
    // Activity entries are unchanged: one per thing that changed, as the request's page shows them.
    expect(s.activity.map((e) => e.kind)).toEqual([
      'created',
      'qualified',
      'priority_changed',
      'assigned',
      'status_changed',
    ]);
    expect(act(s, AGENT, 'changePriority', { priority: 'high' })).toEqual([]);
  });

  it('keeps internal notes internal', () => {
    const s = ticketIn('in_progress');
    const [change] = act(s, AGENT, 'addInternalNote', { body: 'Client connu, prioriser' });
    expect(change).toEqual({
      type: 'ticket.internal_note_added',
      data: { body: 'Client connu, prioriser', actor: AGENT },
    });
    expect(s.activity.at(-1)).toMatchObject({ kind: 'internal_note', visibility: 'internal' });
  });
});

describe('ticket lifecycle: SLA clocks', () => {
  it('runs both clocks from creation with warning at 75 % and breach at 100 %', () => {
    const s = fresh(); // medium: first response 240 min, resolution 2400 min
    expect(s.sla.firstResponse).toMatchObject({
      warningAt: minutes(180).toISOString(),
      breachAt: minutes(240).toISOString(),
    });
    expect(s.sla.resolution).toMatchObject({
      warningAt: minutes(1800).toISOString(),
      breachAt: minutes(2400).toISOString(),
    });
    expect(nextDueAt(s)).toEqual(minutes(180));
  });

  it('meets the first response with the first public agent answer, not an internal note', () => {
    const s = fresh();
    act(s, AGENT, 'addInternalNote', { body: 'à voir' }, minutes(10));
    expect(s.sla.firstResponse.metAt).toBeUndefined();
    act(s, AGENT, 'reply', { body: 'Nous regardons.' }, minutes(20));
    expect(s.sla.firstResponse).toMatchObject({ metAt: minutes(20).toISOString(), consumedMinutes: 20 });
    expect(s.sla.firstResponse.breachAt).toBeUndefined();
  });

  it('pauses in EN ATTENTE CLIENT and RÉSOLU and moves the deadline by the pause', () => {
    const s = ticketIn('in_progress');
    act(s, AGENT, 'requestInformation', { question: '?' }, minutes(100));
    expect(s.sla.resolution).toMatchObject({ consumedMinutes: 100 });
    expect(s.sla.resolution.breachAt).toBeUndefined();
    expect(advanceTime(s, minutes(3000))).toEqual([]); // nothing falls due while paused
    act(s, CUSTOMER, 'provideInformation', { body: '!' }, minutes(1000));
    expect(s.sla.resolution.breachAt).toBe(minutes(1000 + 2300).toISOString());
    act(s, AGENT, 'resolve', { answer: 'ok' }, minutes(1100));
    act(s, CUSTOMER, 'rejectResolution', { reason: 'non' }, minutes(1500));
    expect(s.sla.resolution).toMatchObject({ consumedMinutes: 200, breachAt: minutes(1500 + 2200).toISOString() });
  });

  it('moves deadlines when the priority changes', () => {
    const s = ticketIn('in_progress');
    act(s, AGENT, 'changePriority', { priority: 'critical', reason: 'Production à l’arrêt' }, minutes(5));
    expect(s.sla.resolution).toMatchObject({ targetMinutes: 240, breachAt: minutes(240).toISOString() });
    expect(s.activity.at(-1)).toMatchObject({ kind: 'priority_changed', data: { from: 'medium', to: 'critical' } });
  });

  it('does not disturb the clocks on reassignment', () => {
    const s = ticketIn('in_progress');
    const before = { ...s.sla.resolution };
    act(s, AGENT, 'assign', { agentId: 'a-other', team: 'support' }, minutes(30));
    expect(s.sla.resolution).toEqual(before);
  });

  it('warns at 75 %, then on breach escalates: priority up, escalation team, flag', () => {
    const s = fresh();
    const warn = advanceTime(s, minutes(180));
    expect(warn.map((c) => c.type)).toEqual(['ticket.sla_warning']);
    expect(s.sla.firstResponse.warnedAt).toBe(minutes(180).toISOString());
    expect(advanceTime(s, minutes(181))).toEqual([]);
    const breach = advanceTime(s, minutes(240));
    expect(breach).toEqual([
      {
        type: 'ticket.sla_breached',
        data: {
          clock: 'firstResponse',
          targetMinutes: 240,
          breachAt: minutes(240).toISOString(),
          priority: 'medium',
          escalationTeam: 'support-leads',
          priorityChange: { from: 'medium', to: 'high' },
          actor: SYSTEM_ACTOR,
        },
      },
    ]);
    expect(s).toMatchObject({ priority: 'high', escalated: true, escalationTeams: ['support-leads'] });
    // The open resolution clock takes the high target (480 min), already breached → escalates again.
    expect(s.sla.resolution.targetMinutes).toBe(480);
    expect(s.sla.resolution.breachAt).toBe(minutes(480).toISOString());
    expect(s.activity.filter((e) => e.kind === 'sla_breached')).toHaveLength(1);
  });

  it('escalates each clock once', () => {
    const s = createTicket(newTicket({ slaPolicy: testPolicy({ warningRatio: 0.5 }) }), T0).state;
    advanceTime(s, minutes(10_000));
    expect(s.sla.firstResponse.breachedAt).toBeDefined();
    expect(s.sla.resolution.breachedAt).toBeDefined();
    expect(s.priority).toBe('critical');
    expect(advanceTime(s, minutes(20_000))).toEqual([]);
  });
});

describe('ticket lifecycle: client validation and reopen windows', () => {
  it('reminds, then validates automatically when the validation window elapses', () => {
    const s = ticketIn('resolved');
    // windows: validation 2700 min with a reminder 540 min before
    expect(s.validationDueAt).toBe(minutes(2700).toISOString());
    expect(nextDueAt(s)).toEqual(minutes(2160));
    expect(advanceTime(s, minutes(2160)).map((c) => c.type)).toEqual(['ticket.validation_reminder']);
    const done = advanceTime(s, minutes(2700));
    expect(done).toEqual([
      {
        type: 'ticket.validation_window_elapsed',
        data: {
          reason: 'validation window elapsed',
          statusChange: { from: 'resolved', to: 'done' },
          actor: SYSTEM_ACTOR,
        },
      },
    ]);
    expect(s.status).toBe('done');
    expect(s.activity.at(-1)?.actor.role).toBe('system');
    expect(s.reopenUntil).toBe(minutes(2700 + 5400).toISOString());
  });

  it('closes when the reopen window elapses, and nothing is allowed after', () => {
    const s = ticketIn('done');
    expect(advanceTime(s, minutes(5399))).toEqual([]);
    expect(advanceTime(s, minutes(5400)).map((c) => c.type)).toEqual(['ticket.reopen_window_elapsed']);
    expect(s.status).toBe('closed');
    expect(nextDueAt(s)).toBeUndefined();
    expect(refusal(s, CUSTOMER, 'reopen', { reason: 'trop tard' })?.code).toBe('action_not_allowed_in_status');
  });
});

describe('sharing ("Partager")', () => {
  const hugo = { id: 'c-hugo', name: 'Hugo Martin' };
  const lea = { id: 'c-lea', name: 'Léa Petit' };

  it('adds people once, never the requester, and records it in the public activity', () => {
    const s = fresh();
    const changes = act(s, CUSTOMER, 'share', { people: [hugo, { id: CUSTOMER.id, name: 'me' }, hugo] });
    expect(s.sharedWith).toEqual([hugo]);
    expect(changes).toEqual([{ type: 'ticket.shared', data: { people: [hugo], actor: CUSTOMER } }]);
    expect(s.activity.at(-1)).toMatchObject({ kind: 'shared', visibility: 'public', people: [hugo] });
    expect(act(s, AGENT, 'share', { people: [hugo, lea] })).toHaveLength(1);
    expect(s.sharedWith).toEqual([hugo, lea]);
    expect(s.version).toBe(3);
  });

  it('removes a person, and only when the ticket is shared with someone', () => {
    const s = fresh();
    expect(allowedActions(s, 'customer')).not.toContain('unshare');
    act(s, CUSTOMER, 'share', { people: [hugo, lea] });
    expect(allowedActions(s, 'customer')).toContain('unshare');
    expect(act(s, CUSTOMER, 'unshare', { userId: hugo.id })).toMatchObject([{ type: 'ticket.unshared' }]);
    expect(s.sharedWith).toEqual([lea]);
    expect(act(s, CUSTOMER, 'unshare', { userId: 'nobody' })).toEqual([]);
  });

  it('is refused on a confidential request and with a malformed payload', () => {
    const secret = createTicket({ ...newTicket(), confidential: true }, T0).state;
    expect(refusal(secret, CUSTOMER, 'share', { people: [hugo] })).toMatchObject({
      code: 'action_not_allowed_in_status',
    });
    const s = fresh();
    expect(refusal(s, CUSTOMER, 'share', { people: [] })).toMatchObject({ code: 'invalid_payload' });
    expect(refusal(s, CUSTOMER, 'share', { people: [{ id: 'x' }] })).toMatchObject({
      code: 'invalid_payload',
    });
    expect(refusal(ticketIn('closed'), CUSTOMER, 'share', { people: [hugo] })).toMatchObject({
      code: 'action_not_allowed_in_status',
    });
  });
});

describe('attachments in the activity stream', () => {
  it('records a file as a public entry and an event, until the ticket is closed', () => {
    const s = fresh();
    const file = { attachmentId: 'a'.repeat(24), filename: 'bon.pdf', contentType: 'application/pdf', size: 1234 };
    expect(act(s, CUSTOMER, 'attach', file)).toEqual([
      { type: 'ticket.attachment_added', data: { ...file, actor: CUSTOMER } },
    ]);
    expect(s.activity.at(-1)).toMatchObject({ kind: 'attachment', visibility: 'public', data: file });
    expect(refusal(s, AGENT, 'attach', { ...file, size: 'big' })).toMatchObject({ code: 'invalid_payload' });
    expect(refusal(ticketIn('closed'), CUSTOMER, 'attach', file)).toMatchObject({
      code: 'action_not_allowed_in_status',
    });
  });
});
