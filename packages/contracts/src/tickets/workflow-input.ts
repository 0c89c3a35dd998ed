import type { LifecycleWindows, Priority, SlaPolicy, TicketState } from './model';

/** Workflow id of a ticket: the reference is the business key and the idempotency key. */
export const ticketWorkflowId = (reference: string): string => `ticket-${reference}`;

export interface NewTicket {
  reference: string;
  requestType: string;
  organizationId: string;
  requester: { id: string; name: string };
  summary: string;
  /** What the customer wrote and the request type's own fields (optional in early histories). */
  description?: string;
  fields?: Record<string, unknown>;
  portal?: 'retailer' | 'carrier';
  /** The catalogue version of the request type the form was validated against. */
  requestTypeVersion?: number;
  confidential: boolean;
  /** Team the request type routes to (security types → security, personal data → dpo). */
  defaultTeam: string;
  priority: Priority;
  slaPolicy: SlaPolicy;
  windows: LifecycleWindows;
}

/** First run: `ticket`; after continue-as-new: `state`, the ticket as it was. */
export type TicketWorkflowInput = { ticket: NewTicket; state?: undefined } | { state: TicketState; ticket?: undefined };
