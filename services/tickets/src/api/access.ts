import { PERSONAL_ORGANIZATION_PREFIX } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import type { TicketRecord } from '../model/read-model';

/**
 * Who may see a ticket: its requester and the people it is shared with; the requester's
 * organisation when it is not confidential; agents of a team it is assigned or escalated to,
 * or any agent for non-confidential tickets; confidential ones only the `security` team (or
 * its own assigned team); admins everything. Everyone else is told it does not exist.
 */
export function canSee(who: VerifiedIdentity, ticket: TicketRecord): boolean {
  if (who.role === 'admin') return true;
  if (who.role === 'agent') {
    const teams = new Set([ticket.assignment?.team, ...(ticket.escalationTeams ?? [])]);
    if (who.teams.some((t) => teams.has(t))) return true;
    return ticket.confidential ? who.teams.includes('security') : true;
  }
  if (ticket.requester.id === who.userId) return true;
  if (ticket.sharedWith?.some((p) => p.id === who.userId)) return true;
  return !ticket.confidential && who.organizationId !== undefined && ticket.organizationId === who.organizationId;
}

/** The organisation a new ticket of `who` belongs to; agents' and admins' own are Woop's. */
export function ticketOrganizationId(who: VerifiedIdentity): string {
  if (who.role !== 'customer') return 'woop';
  return who.organizationId ?? `${PERSONAL_ORGANIZATION_PREFIX}${who.userId}`;
}
