import type { TicketState } from './model';

/** Workflow id of a ticket: the reference is the business key and the idempotency key. */
export const ticketWorkflowId = (reference: string): string => `ticket-${reference}`;

/** What the tickets service knows when it opens a ticket; the rest of its state starts here. */
export type NewTicket = Pick<
  TicketState,
  | 'reference'
  | 'requestType'
  | 'organizationId'
  | 'requester'
  | 'summary'
  | 'description'
  | 'fields'
  | 'portal'
  | 'requestTypeVersion'
  | 'confidential'
  | 'priority'
  | 'slaPolicy'
  | 'windows'
> & {
  /** Team the request type routes to (security types → security, personal data → dpo). */
  defaultTeam: string;
  /** How it came when not through the portal: `email`, opened from an email to the support address. */
  channel?: 'email';
};

/** First run: `ticket`; after continue-as-new: `state`, the ticket as it was. */
export type TicketWorkflowInput = { ticket: NewTicket; state?: undefined } | { state: TicketState; ticket?: undefined };
