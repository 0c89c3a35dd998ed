import { makeEvent } from '../events';
import { readTicketEvents, upgradeTicketEvents } from './event-versions';
import { makeTicketEvent, parseTicketEvent, TICKET_EVENT_VERSION, type TicketFacts } from './events';

const FACTS: TicketFacts = {
  reference: 'SUPPORT-9',
  version: 5,
  status: 'in_progress',
  priority: 'medium',
  requestType: 'ask-a-question',
  organizationId: 'org-retailer',
  requester: { id: 'u-claire', name: 'Claire Martin' },
  sharedWith: [],
  summary: 'Colis perdu',
  confidential: false,
  assignment: { team: 'support', agentId: 'a-paul' },
  escalated: false,
};
const AT = new Date('2026-11-30T08:00:00Z');
const claire = { id: 'u-claire', name: 'Claire Martin', role: 'customer' as const };

describe('ticket events (version 2)', () => {
  it('carry their version, a deterministic id and the ticket facts', () => {
    const event = makeTicketEvent({ type: 'ticket.commented', data: { body: 'Merci', actor: claire } }, FACTS, 1, AT);
    expect(event).toMatchObject({
      id: 'SUPPORT-9:5:1:ticket.commented',
      subject: 'SUPPORT-9',
      dataversion: TICKET_EVENT_VERSION,
      time: AT.toISOString(),
      data: { body: 'Merci', actor: claire, ticket: FACTS },
    });
    expect(parseTicketEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses a type or data the contract does not describe', () => {
    const event = makeTicketEvent({ type: 'ticket.commented', data: { body: 'x', actor: claire } }, FACTS, 0, AT);
    expect(() => parseTicketEvent({ ...event, type: 'ticket.comment_added' })).toThrow();
    expect(() => parseTicketEvent({ ...event, data: { ...event.data, body: 3 } })).toThrow(/body/);
    expect(() => parseTicketEvent({ ...event, dataversion: undefined })).toThrow(/dataversion/);
  });
});

describe('ticket events of version 1', () => {
  const v1 = (index: number, type: string, data: Record<string, unknown>, facts: Partial<TicketFacts> = {}) =>
    makeEvent({
      id: `SUPPORT-9:5:${index}:${type}`,
      source: 'woop/tickets/workflow',
      type,
      subject: 'SUPPORT-9',
      time: AT,
      data: { ...data, ticket: { ...FACTS, ...facts } },
    });
  const provided = [
    v1(0, 'ticket.comment_added', {
      body: 'CMD-42',
      visibility: 'public',
      author: claire,
      via: 'provideInformation',
    }),
    v1(1, 'ticket.status_changed', { from: 'waiting_for_customer', to: 'in_progress' }),
  ];

  it('become the one event of their action, keeping the first id', () => {
    expect(upgradeTicketEvents(provided)).toEqual([
      {
        ...provided[0],
        type: 'ticket.information_provided',
        dataversion: 2,
        data: {
          body: 'CMD-42',
          statusChange: { from: 'waiting_for_customer', to: 'in_progress' },
          actor: claire,
          ticket: FACTS,
        },
      },
    ]);
  });

  it('read one at a time, as a consumer finds them, say the same without the parts', () => {
    expect(provided.flatMap((e) => readTicketEvents(e)).map((e) => [e.type, e.data])).toEqual([
      [
        'ticket.information_provided',
        {
          body: 'CMD-42',
          statusChange: { from: 'waiting_for_customer', to: 'in_progress' },
          actor: claire,
          ticket: FACTS,
        },
      ],
    ]);
    const moves: Array<[string, string, string | undefined, string]> = [
      ['resolved', 'in_progress', 'Non', 'ticket.resolution_rejected'],
      ['rejected', 'open', 'Non', 'ticket.rejection_contested'],
      ['done', 'in_progress', 'Non', 'ticket.reopened'],
      ['resolved', 'done', undefined, 'ticket.resolution_accepted'],
      ['resolved', 'done', 'validation window elapsed', 'ticket.validation_window_elapsed'],
      ['done', 'closed', 'reopen window elapsed', 'ticket.reopen_window_elapsed'],
      ['assigned', 'in_progress', undefined, 'ticket.started'],
      ['open', 'assigned', undefined, 'ticket.assigned'],
    ];
    for (const [from, to, reason, type] of moves) {
      const [event] = readTicketEvents(v1(0, 'ticket.status_changed', { from, to, ...(reason ? { reason } : {}) }));
      expect([from, to, event?.type]).toEqual([from, to, type]);
    }
    expect(readTicketEvents(v1(1, 'ticket.status_changed', { from: 'in_progress', to: 'resolved' }))).toEqual([]);
  });

  it('are skipped when of a version nobody here knows', () => {
    expect(readTicketEvents({ ...provided[0]!, dataversion: 3 })).toEqual([]);
  });
});
