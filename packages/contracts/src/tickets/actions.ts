import type { Actor, Assignment, Person, Priority, Role } from './model';

/** Payload of each ticket action, by action name. */
export interface TicketActionPayloads {
  // agents (and admins)
  qualify: { priority: Priority; billable: boolean; requestType?: string; assignment?: Assignment };
  assign: Assignment;
  start: Record<string, never>;
  requestInformation: { question: string };
  reply: { body: string };
  addInternalNote: { body: string };
  changePriority: { priority: Priority; reason?: string };
  resolve: { answer: string };
  reject: { reason: string };
  // customers
  provideInformation: { body: string };
  comment: { body: string };
  acceptResolution: Record<string, never>;
  rejectResolution: { reason: string };
  acceptRejection: Record<string, never>;
  contestRejection: { reason: string };
  reopen: { reason: string };
  // "Partager": anyone who sees the ticket; the tickets service checks that the people belong
  // to the requester's organisation and who may remove whom.
  share: { people: Person[] };
  unshare: { userId: string };
  // a file stored by the tickets service, announced in the activity stream
  attach: { attachmentId: string; filename: string; contentType: string; size: number };
}

export type TicketActionName = keyof TicketActionPayloads;

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
  share: ['customer', 'agent', 'admin'],
  unshare: ['customer', 'agent', 'admin'],
  attach: ['customer', 'agent', 'admin'],
};

export const TICKET_ACTIONS = Object.keys(ACTION_ROLES) as TicketActionName[];

/** Type name of the ApplicationFailure a refused action fails with. */
export const ACTION_REFUSED = 'TicketActionRefused';

/** Details carried by a refused action's failure. */
export interface ActionRefusal {
  code: 'action_not_allowed_in_status' | 'role_not_allowed' | 'invalid_payload';
  action: TicketActionName;
  status: string;
  role: string;
  /** What this role may do now. */
  allowed: TicketActionName[];
  message: string;
}
