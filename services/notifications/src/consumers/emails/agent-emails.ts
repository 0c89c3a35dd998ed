import type { TicketEvent } from '@woop/contracts';
import type { Recipient } from '../../model/directory';
import type { AwaitedRecipient, PlanContext, PlannedEmail } from './types';

/** What agents are emailed about: `new-request` has a template of its own, the rest share one. */
type AgentEmailKind =
  'new-request' | 'comment' | 'information' | 'resolution-rejected' | 'rejection-contested' | 'reopened';

/**
 * Which agents' email an event is, and for whom: a new request goes to the team it starts in;
 * a customer's comment or information to the assigned agent only; a rejected answer, a contested
 * rejection or a reopening to the assigned agent, or the team when nobody is assigned.
 */
function agentEmailOf(
  e: TicketEvent,
):
  | { kind: AgentEmailKind; audience: 'team' | 'assignee' | 'assignee-or-team'; body?: string; reason?: string }
  | undefined {
  switch (e.type) {
    case 'ticket.created':
      return { kind: 'new-request', audience: 'team' };
    case 'ticket.commented':
      return { kind: 'comment', audience: 'assignee', body: e.data.body };
    case 'ticket.information_provided':
      return { kind: 'information', audience: 'assignee', body: e.data.body };
    case 'ticket.resolution_rejected':
      return { kind: 'resolution-rejected', audience: 'assignee-or-team', reason: e.data.reason };
    case 'ticket.rejection_contested':
      return { kind: 'rejection-contested', audience: 'assignee-or-team', reason: e.data.reason };
    case 'ticket.reopened':
      return { kind: 'reopened', audience: 'assignee-or-team', reason: e.data.reason };
    default:
      return undefined;
  }
}

/** Agents' emails, in their language, to those who have them on; never to the change's author. */
export async function planAgents(
  e: TicketEvent,
  ctx: PlanContext,
  awaiting: AwaitedRecipient[],
): Promise<PlannedEmail[]> {
  const what = agentEmailOf(e);
  if (!what) return [];
  const ticket = e.data.ticket;
  const team = ticket.assignment.team;
  const agentId = ticket.assignment.agentId;
  const actor = e.data.actor;
  const template = what.kind === 'new-request' ? 'agent-new-request' : 'agent-ticket-update';

  let candidates: Recipient[] = [];
  let unassigned = false;
  if (what.audience !== 'team' && agentId) {
    // The ticket names its agent, whatever their copy says of their role.
    const assignee = await ctx.recipient(agentId);
    if (assignee) candidates = [assignee];
    else if (agentId !== actor?.id) awaiting.push({ key: `agent:${agentId}`, userId: agentId, template });
  } else if (what.audience !== 'assignee' && team) {
    candidates = await ctx.teamAgents(team);
    unassigned = what.audience === 'assignee-or-team';
  }

  const ticketLink = new URL(`/requests/${ticket.reference}`, ctx.portalUrl).toString();
  const planned: PlannedEmail[] = [];
  for (const who of candidates) {
    if (!who.active || who.status === 'invited' || who.status === 'erased' || who.userId === actor?.id) continue;
    // A confidential request stays within its team: an agent outside it does not see it either.
    if (ticket.confidential && (!team || !who.teams.includes(team))) continue;
    if (!(await ctx.wantsAgentEmails(who.userId))) continue;
    planned.push({
      // Not the bare user id: a person emailed as a customer and as an agent gets both.
      key: `agent:${who.userId}`,
      recipientId: who.userId,
      replyFor: { reference: ticket.reference, userId: who.userId },
      address: who.email,
      locale: who.locale,
      template,
      ...(what.kind === 'new-request' ? {} : { subjectKey: `agent-ticket-update.subject-${what.kind}` }),
      data: {
        reference: ticket.reference,
        summary: ticket.summary,
        ticketLink,
        name: who.fullName,
        kind: what.kind,
        team: team ?? '',
        requester: ticket.requester.name,
        confidential: ticket.confidential,
        author: actor?.name ?? ticket.requester.name,
        body: what.body,
        reason: what.reason,
        unassigned,
      },
    });
  }
  return planned;
}
