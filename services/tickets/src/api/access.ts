import { PERSONAL_ORGANIZATION_PREFIX, type TicketActionName, type TicketState } from '@woop/contracts';
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

/**
 * The customers' actions that decide a request's fate: validate or reject its answer, accept or
 * contest its rejection, reopen it. Only its requester and the people it is shared with take
 * them; the rest of its organisation reads it and comments.
 */
export const FATE_ACTIONS: ReadonlySet<TicketActionName> = new Set<TicketActionName>([
  'acceptResolution',
  'rejectResolution',
  'acceptRejection',
  'contestRejection',
  'reopen',
]);

/**
 * Whether `who` may take `action` on this ticket as far as who they are to it goes (the
 * workflow still decides by role and status). Checked here, before the update reaches the
 * workflow, rather than in the workflow's validator: a rule in workflow code would change what
 * running workflows accept and need a `patched()` guard kept for as long as any of them runs,
 * while the tickets API is the one way to the workflows, and the read model it checks against
 * has the requester and "Partagé avec" of every ticket.
 */
export function mayTake(
  who: VerifiedIdentity,
  ticket: Pick<TicketState, 'requester' | 'sharedWith'>,
  action: TicketActionName,
): boolean {
  if (!FATE_ACTIONS.has(action) || who.role !== 'customer') return true;
  return ticket.requester.id === who.userId || (ticket.sharedWith ?? []).some((p) => p.id === who.userId);
}

/** The organisation a new ticket of `who` belongs to; agents' and admins' own are Woop's. */
export function ticketOrganizationId(who: VerifiedIdentity): string {
  if (who.role !== 'customer') return 'woop';
  return who.organizationId ?? `${PERSONAL_ORGANIZATION_PREFIX}${who.userId}`;
}
