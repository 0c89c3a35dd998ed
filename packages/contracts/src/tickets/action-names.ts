import type { z } from 'zod';
import type { ticketActionPayloads } from './actions';
import type { Actor, Role } from './model';

/*
 * The ticket actions without their payload schemas: the workflow's bundle imports this and not
 * ./actions, so a cached ticket workflow does not evaluate zod (see `../workflow.ts`). Types
 * come from the schemas all the same: they are erased.
 */

/** Longest text a person writes on a ticket (a comment, a question, an answer). */
export const TICKET_TEXT_MAX = 20_000;
/** Longest reason (a rejection, a reopening, a priority change). */
export const TICKET_REASON_MAX = 2_000;
/**
 * The most a ticket holds, in bytes of its state as JSON (its conversation, mostly). The workflow
 * carries its state from run to run in one payload, which Temporal refuses beyond 2 MB, so:
 * a comment, a reply, a note, a question or information (what makes a conversation long) is
 * refused beyond `TICKET_STATE_MAX` (409 `conversation_limit_reached`: a new request goes on
 * with it); an action that moves the ticket on with a text (an answer, a rejection, a reopening)
 * still goes through up to `TICKET_STATE_HARD_MAX`, so a full ticket can still be answered and
 * closed; actions without text always do. 1 MB is about 50 texts of the longest kind, or 1,000
 * of a paragraph each.
 */
export const TICKET_STATE_MAX = 1_000_000;
/** Longest comment a satisfaction rating (CSAT) may carry. */
export const CSAT_COMMENT_MAX = 2_000;
export const TICKET_STATE_HARD_MAX = 1_500_000;

export type TicketActionName = keyof typeof ticketActionPayloads;

/** Payload of each ticket action, by action name. */
export type TicketActionPayloads = { [A in TicketActionName]: z.infer<(typeof ticketActionPayloads)[A]> };

export interface TicketActionRequest<A extends TicketActionName = TicketActionName> {
  actor: Actor;
  payload: TicketActionPayloads[A];
}

/** Who may take each action (the workflow also checks the status). */
export const ACTION_ROLES: Record<TicketActionName, readonly Role[]> = {
  qualify: ['agent', 'admin'],
  assign: ['agent', 'admin'],
  start: ['agent', 'admin'],
  requestInformation: ['agent', 'admin'],
  reply: ['agent', 'admin'],
  addInternalNote: ['agent', 'admin'],
  changePriority: ['agent', 'admin'],
  resolve: ['agent', 'admin'],
  reject: ['agent', 'admin'],
  provideInformation: ['customer'],
  comment: ['customer'],
  acceptResolution: ['customer'],
  rejectResolution: ['customer'],
  acceptRejection: ['customer'],
  contestRejection: ['customer'],
  reopen: ['customer'],
  // The requester only (rules.ts and the tickets service check who, beyond the role).
  rate: ['customer'],
  share: ['customer', 'agent', 'admin'],
  unshare: ['customer', 'agent', 'admin'],
  attach: ['customer', 'agent', 'admin'],
};

export const TICKET_ACTIONS = Object.keys(ACTION_ROLES) as TicketActionName[];

/** Type name of the ApplicationFailure a refused action fails with. */
export const ACTION_REFUSED = 'TicketActionRefused';

/** Details carried by a refused action's failure. */
export interface ActionRefusal {
  code:
    | 'action_not_allowed_in_status'
    | 'role_not_allowed'
    | 'invalid_payload'
    | 'conversation_limit_reached'
    /** `rate` once this closure (TERMINÉ) is rated already. */
    | 'already_rated';
  action: TicketActionName;
  status: string;
  role: string;
  /** What this role may do now. */
  allowed: TicketActionName[];
  message: string;
}
