import { readTicketEvents, type EventEnvelope, type TicketEvent } from '@woop/contracts';
import { planIdentity } from './account-emails';
import { planAgents } from './agent-emails';
import { planTicket } from './customer-emails';
import type { AwaitedRecipient, EmailPlan, PlanContext, PlannedEmail, TicketAccess } from './types';

/**
 * Who gets which email for one event: account emails (`account-emails.ts`), the customers'
 * (`customer-emails.ts`, with the satisfaction links of `csat-email.ts`), the agents'
 * (`agent-emails.ts`).
 */
export type { AwaitedRecipient, EmailPlan, PlanContext, PlannedEmail, TicketAccess } from './types';
export type { Recipient } from '../../model/directory';

function ticketAccess(e: TicketEvent): TicketAccess {
  const teams = new Set<string>();
  if (e.data.ticket.assignment.team) teams.add(e.data.ticket.assignment.team);
  if (e.type === 'ticket.sla_breached') teams.add(e.data.escalationTeam);
  return { confidential: e.data.ticket.confidential, teams: [...teams] };
}

/**
 * The emails one event makes, and the recipients they wait for (unknown to the directory yet).
 * Ticket events are read through their contract (`readTicketEvents`: version 2, or version 1
 * upgraded); one the contract cannot read is reported to `ctx.unreadable` and makes none.
 */
export async function planEventEmails(event: EventEnvelope, ctx: PlanContext): Promise<EmailPlan> {
  const none: EmailPlan = { emails: [], awaiting: [] };
  if (event.type.startsWith('user.')) {
    try {
      return { emails: planIdentity(event, ctx), awaiting: [] };
    } catch (err) {
      ctx.unreadable?.(event, err);
      return none;
    }
  }
  if (!event.type.startsWith('ticket.')) return none;
  let events: TicketEvent[];
  try {
    events = readTicketEvents(event);
  } catch (err) {
    ctx.unreadable?.(event, err);
    return none;
  }
  const planned: PlannedEmail[] = [];
  const awaiting: AwaitedRecipient[] = [];
  for (const e of events) {
    const access = ticketAccess(e);
    const emails = [...(await planTicket(e, ctx, awaiting)), ...(await planAgents(e, ctx, awaiting))];
    for (const p of emails) planned.push({ ...p, access });
  }
  // One wait per recipient key, even when several of the event's parts name them.
  const keys = new Set<string>();
  return { emails: planned, awaiting: awaiting.filter((a) => !keys.has(a.key) && keys.add(a.key)) };
}

/** The emails one event makes now (those waiting for an unknown recipient left out). */
export async function planEmails(event: EventEnvelope, ctx: PlanContext): Promise<PlannedEmail[]> {
  return (await planEventEmails(event, ctx)).emails;
}
