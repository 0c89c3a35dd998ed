import { makeEvent } from '../envelope';
import type { TicketChange, TicketEvent, TicketFacts } from './events';
import type { TicketState } from './model';

/*
 * How the workflow makes its ticket.* events, apart from their schemas (events.ts): the
 * workflow's code imports this without them (see ../workflow.ts).
 */

/** The `dataversion` and `source` of the ticket.* events the workflow publishes (see events.ts). */
export const TICKET_EVENT_VERSION = 2;
export const TICKET_EVENT_SOURCE = 'woop/tickets/workflow';
/** The facts of `state` every event carries. */
export function ticketFactsOf(state: TicketState): TicketFacts {
  return {
    reference: state.reference,
    version: state.version,
    status: state.status,
    priority: state.priority,
    requestType: state.requestType,
    organizationId: state.organizationId,
    requester: state.requester,
    sharedWith: (state.sharedWith ?? []).map((p) => p.id),
    summary: state.summary,
    confidential: state.confidential,
    assignment: state.assignment,
    escalated: state.escalated,
  };
}

/**
 * The event for `change`, the `index`-th of the ticket's version: its id
 * `<reference>:<version>:<index>:<type>` is deterministic, so consumers drop duplicates.
 */
export function makeTicketEvent(change: TicketChange, facts: TicketFacts, index: number, time: Date): TicketEvent {
  return makeEvent({
    id: `${facts.reference}:${facts.version}:${index}:${change.type}`,
    source: TICKET_EVENT_SOURCE,
    type: change.type,
    subject: facts.reference,
    time,
    dataversion: TICKET_EVENT_VERSION,
    data: { ...change.data, ticket: facts },
  }) as TicketEvent;
}
