import {
  customerMayTake,
  isSharedWith,
  PERSONAL_ORGANIZATION_PREFIX,
  type SharedTicket,
  type TicketActionName,
} from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import type { TicketRecord } from '../model/read-model';

/**
 * Who may see a ticket: its requester and the people it is shared with (while they belong to
 * its organisation: someone moved to another one no longer reads the old one's requests); the
 * requester's organisation when it is not confidential; agents of a team it is assigned or
 * escalated to, or any agent for non-confidential tickets; confidential ones only the `security`
 * team (or its own assigned team); admins everything. Everyone else is told it does not exist.
 */
export function canSee(who: VerifiedIdentity, ticket: TicketRecord): boolean {
  if (who.role === 'admin') return true;
  if (who.role === 'agent') {
    const teams = new Set([ticket.assignment?.team, ...(ticket.escalationTeams ?? [])]);
    if (who.teams.some((t) => teams.has(t))) return true;
    return ticket.confidential ? who.teams.includes('security') : true;
  }
  if (ticket.requester.id === who.userId) return true;
  if (isSharedWith(who, ticket)) return true;
  return !ticket.confidential && who.organizationId !== undefined && ticket.organizationId === who.organizationId;
}

/**
 * Whether `who` may take `action` on this ticket as far as who they are to it goes (the
 * workflow still decides by role and status): the fate actions are the requester's and of those
 * the requester shared it with, sharing is the requester's (and agents' and admins'); see
 * `@woop/contracts`' tickets/access.ts. Checked here, before the update reaches the workflow,
 * rather than in the workflow's validator: a rule in workflow code would change what running
 * workflows accept and need a `patched()` guard kept for as long as any of them runs, while the
 * tickets API is the one way to the workflows, and the read model it checks against has the
 * requester, "Partagé avec" and the activity (who shared whom) of every ticket.
 */
export function mayTake(who: VerifiedIdentity, ticket: SharedTicket, action: TicketActionName): boolean {
  return customerMayTake(who, ticket, action);
}

/** The organisation a new ticket of `who` belongs to; agents' and admins' own are Woop's. */
export function ticketOrganizationId(who: VerifiedIdentity): string {
  if (who.role !== 'customer') return 'woop';
  return who.organizationId ?? `${PERSONAL_ORGANIZATION_PREFIX}${who.userId}`;
}
