import type { TicketActionName } from './action-names';
import type { ActivityEntry, Person, Role } from './model';

/*
 * Who a customer is to a request, and what that lets them do: the rules the tickets service
 * enforces (`services/tickets/src/api/access.ts`) and the pages follow (they offer only what the
 * service allows). The "Who may do what" table of docs/tickets-api.md says the same, cell by cell, and
 * `test/integration/access-table.test.ts` checks each cell against the running services.
 */

/** The customer, as far as these rules go (a signed identity has these fields). */
export interface CustomerSeat {
  userId: string;
  role: Role;
  organizationId?: string;
}

/** What these rules read of a ticket (the read model's copy, the workflow's, a page's detail). */
export interface SharedTicket {
  organizationId: string;
  requester: Person;
  sharedWith?: Person[];
  /** Read for who shared whom (`shared` entries, which are public); absent: nobody decides by a share. */
  activity?: Pick<ActivityEntry, 'kind' | 'actor' | 'people'>[];
}

/**
 * The customers' actions that decide a request's fate: validate or reject its answer, accept or
 * contest its rejection, reopen it. Its requester takes them, and the people the requester
 * shared it with; the rest of its organisation reads it and comments.
 */
export const FATE_ACTIONS: ReadonlySet<TicketActionName> = new Set<TicketActionName>([
  'acceptResolution',
  'rejectResolution',
  'acceptRejection',
  'contestRejection',
  'reopen',
]);

/**
 * Whether the request is shared with `who` as they are now: they are in "Partagé avec" and still
 * belong to the request's organisation. A customer moved to another organisation keeps nothing
 * of the old one's requests shared with them (their own requests stay theirs).
 */
export function isSharedWith(who: CustomerSeat, ticket: SharedTicket): boolean {
  return (
    who.organizationId !== undefined &&
    who.organizationId === ticket.organizationId &&
    (ticket.sharedWith ?? []).some((p) => p.id === who.userId)
  );
}

/**
 * Who added `userId` to "Partagé avec" (the id of the actor of the last `shared` entry naming
 * them), or undefined when the activity does not say. Read from the activity rather than kept
 * in `sharedWith`, so every share ever made, before this rule too, says who made it, and no
 * running workflow changes what it records.
 */
export function sharedBy(ticket: SharedTicket, userId: string): string | undefined {
  const activity = ticket.activity ?? [];
  for (let i = activity.length - 1; i >= 0; i--) {
    const e = activity[i]!;
    if (e.kind === 'shared' && (e.people ?? []).some((p) => p.id === userId)) return e.actor.id;
  }
  return undefined;
}

/**
 * Whether `who` decides the request's fate (FATE_ACTIONS): its requester, or someone its
 * requester shared it with (and still of its organisation). Someone an agent, an admin or
 * anyone else added reads and comments, as the rest of the organisation does: a share never
 * hands over the requester's decisions unless the requester made it.
 */
export function decidesFate(who: CustomerSeat, ticket: SharedTicket): boolean {
  if (who.role !== 'customer') return false;
  if (ticket.requester.id === who.userId) return true;
  return isSharedWith(who, ticket) && sharedBy(ticket, who.userId) === ticket.requester.id;
}

/**
 * Whether `who` may add people to "Partagé avec": the requester, agents and admins (the tickets
 * service checks that they see it). Not a colleague, not the people it is shared with, not an
 * organisation admin: sharing is the requester's (organisation admins manage accounts, not the
 * requests of others, which their organisation already reads).
 */
export function mayShare(who: CustomerSeat, ticket: SharedTicket): boolean {
  return who.role !== 'customer' || ticket.requester.id === who.userId;
}

/** Whether `who` may remove `userId` from "Partagé avec": the requester, agents and admins; anyone themself. */
export function mayUnshare(who: CustomerSeat, ticket: SharedTicket, userId: string): boolean {
  return mayShare(who, ticket) || who.userId === userId;
}

/**
 * Whether a customer's part of the rules lets `who` take `action` (the workflow still decides
 * by role and status): fate actions are the deciders', sharing and rating the requester's. Unsharing
 * depends on whom: see `mayUnshare`.
 */
export function customerMayTake(who: CustomerSeat, ticket: SharedTicket, action: TicketActionName): boolean {
  if (who.role !== 'customer') return true;
  if (FATE_ACTIONS.has(action)) return decidesFate(who, ticket);
  if (action === 'share') return mayShare(who, ticket);
  // Satisfaction is the requester's own answer: nobody rates in their name.
  if (action === 'rate') return ticket.requester.id === who.userId;
  return true;
}
