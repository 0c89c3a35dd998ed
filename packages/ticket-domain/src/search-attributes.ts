import type { SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, type NewTicket, type TicketState } from '@woop/contracts/workflow';

/** What of a ticket the Temporal Web UI filters on. */
export type IndexedTicket = Pick<
  TicketState,
  'reference' | 'status' | 'requestType' | 'organizationId' | 'priority' | 'escalated' | 'assignment'
>;

/**
 * The ticket's custom search attributes (SEARCH_ATTRIBUTES), in one place: the workflow keeps
 * them current, the tickets service gives a new ticket's at its start.
 */
export function ticketSearchAttributes(ticket: IndexedTicket): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: SEARCH_ATTRIBUTES.reference, value: ticket.reference },
    { key: SEARCH_ATTRIBUTES.status, value: ticket.status },
    { key: SEARCH_ATTRIBUTES.requestType, value: ticket.requestType },
    { key: SEARCH_ATTRIBUTES.organizationId, value: ticket.organizationId },
    { key: SEARCH_ATTRIBUTES.priority, value: ticket.priority },
    { key: SEARCH_ATTRIBUTES.slaBreached, value: ticket.escalated },
  ];
  if (ticket.assignment.agentId) pairs.push({ key: SEARCH_ATTRIBUTES.assignee, value: ticket.assignment.agentId });
  if (ticket.assignment.team) pairs.push({ key: SEARCH_ATTRIBUTES.assignedTeam, value: ticket.assignment.team });
  return pairs;
}

/** A new ticket's, as its workflow's first state will have them (OUVERT, with its default team). */
export const newTicketSearchAttributes = (ticket: NewTicket): SearchAttributePair[] =>
  ticketSearchAttributes({
    reference: ticket.reference,
    status: 'open',
    requestType: ticket.requestType,
    organizationId: ticket.organizationId,
    priority: ticket.priority,
    escalated: false,
    assignment: { team: ticket.defaultTeam },
  });
