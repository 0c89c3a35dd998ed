import {
  STATUS_LABELS,
  type EventEnvelope,
  type IdentityEventData,
  type Locale,
  type TicketStatus,
  type UserFacts,
  type UserRole,
} from '@woop/contracts';
import type { TemplateName } from './templates';

/** Who gets which email for one event. `key` identifies the recipient in the delivery log. */
export interface PlannedEmail {
  key: string;
  address: string;
  recipientId?: string;
  locale: Locale;
  template: TemplateName;
  subjectKey?: string;
  data: Record<string, unknown>;
}

export interface Recipient {
  userId: string;
  email: string;
  fullName: string;
  locale: Locale;
  active: boolean;
  role: UserRole;
  teams: string[];
  /** Identity's status; absent on a copy made before it was kept. */
  status?: UserFacts['status'];
}

export interface PlanContext {
  portalUrl: string;
  /** Known users (kept from user.* events). */
  recipient(userId: string): Promise<Recipient | undefined>;
  /** Whether this user wants emails about this ticket (default yes). */
  wantsEmails(userId: string, reference: string): Promise<boolean>;
  /** Active agents (and admins) of a team, for the agents' emails. */
  teamAgents(team: string): Promise<Recipient[]>;
  /** Whether this agent wants the agents' emails (default yes). */
  wantsAgentEmails(userId: string): Promise<boolean>;
  /** Mailbox of an agent team (SLA alerts go to teams, never to customers). */
  teamAddress(team: string): string | undefined;
  linkTtl: { signupMinutes: number; inviteDays: number };
}

interface TicketFacts {
  reference: string;
  status: TicketStatus;
  priority: string;
  summary: string;
  confidential: boolean;
  requester: { id: string; name: string };
  sharedWith?: string[];
  assignment?: { agentId?: string; team?: string };
}

const minutesUntil = (iso: unknown) => Math.max(1, Math.round((Date.parse(String(iso)) - Date.now()) / 60_000));

function formatDate(iso: unknown, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Paris',
  }).format(new Date(String(iso)));
}

/** Account emails go to the address in the event (the account may not exist yet). */
function planIdentity(event: EventEnvelope): PlannedEmail[] {
  const d = event.data;
  const to = (
    address: string,
    locale: Locale,
    template: TemplateName,
    data: Record<string, unknown>,
    recipientId?: string,
  ) => [{ key: address, address, locale, template, data, ...(recipientId ? { recipientId } : {}) }];
  switch (event.type) {
    case 'user.signup_requested': {
      const e = d as IdentityEventData['user.signup_requested'];
      return to(e.email, e.locale, 'signup-link', { link: e.link, expiresInMinutes: minutesUntil(e.expiresAt) });
    }
    case 'user.signup_existing_account': {
      const e = d as IdentityEventData['user.signup_existing_account'];
      return to(e.email, e.locale, 'signup-existing-account', { loginLink: e.loginLink, resetLink: e.resetLink });
    }
    case 'user.signup_not_allowed': {
      const e = d as IdentityEventData['user.signup_not_allowed'];
      return to(e.email, e.locale, 'signup-not-allowed', {});
    }
    case 'user.password_reset_requested': {
      const e = d as IdentityEventData['user.password_reset_requested'];
      return to(e.email, e.locale, 'password-reset', { link: e.link, expiresInMinutes: minutesUntil(e.expiresAt) });
    }
    case 'user.invited': {
      const e = d as IdentityEventData['user.invited'];
      const days = Math.max(1, Math.round(minutesUntil(e.expiresAt) / 1440));
      return to(e.user.email, e.user.locale, 'invitation', { link: e.link, expiresInDays: days }, e.user.userId);
    }
    case 'user.password_changed':
    case 'user.deactivated':
    case 'user.reactivated':
    case 'user.updated': {
      const user = (d as { user: UserFacts }).user;
      if (user.status === 'invited' || user.status === 'erased') return [];
      const change = event.type.slice('user.'.length);
      return to(user.email, user.locale, 'account-changed', { name: user.fullName, change }, user.userId);
    }
    default:
      return [];
  }
}

/** Ticket emails: the requester and the people it is shared with, if they want them. */
async function planTicket(event: EventEnvelope, ctx: PlanContext): Promise<PlannedEmail[]> {
  const d = event.data;
  const ticket = d.ticket as TicketFacts;
  const ticketLink = new URL(`/requests/${ticket.reference}`, ctx.portalUrl).toString();
  const base = { reference: ticket.reference, summary: ticket.summary, ticketLink };

  if (event.type === 'ticket.sla_warning' || event.type === 'ticket.sla_breached') {
    const kind = event.type === 'ticket.sla_warning' ? 'warning' : 'breach';
    const teams = new Set<string>([ticket.assignment?.team ?? 'support']);
    if (typeof d.escalationTeam === 'string') teams.add(d.escalationTeam);
    return [...teams].flatMap((team) => {
      const address = ctx.teamAddress(team);
      return address
        ? [
            {
              key: `team:${team}`,
              address,
              locale: 'fr' as const,
              template: 'ticket-sla-alert' as const,
              subjectKey: `ticket-sla-alert.subject-${kind}`,
              data: { ...base, kind, clock: d.clock, priority: d.priority ?? ticket.priority },
            },
          ]
        : [];
    });
  }

  let template: TemplateName;
  let extra: (locale: Locale) => Record<string, unknown> = () => ({});
  switch (event.type) {
    case 'ticket.created':
      template = 'ticket-created';
      break;
    case 'ticket.status_changed': {
      const to = d.to as TicketStatus;
      // These have an email of their own (information requested, answer to validate).
      if (to === 'waiting_for_customer' || to === 'resolved') return [];
      template = 'ticket-status-changed';
      extra = (locale) => ({ statusLabel: STATUS_LABELS[to][locale], reason: d.reason });
      break;
    }
    case 'ticket.comment_added':
      // An answer or a question has an email of its own (resolved, information requested); the
      // information a customer provides is told to the others as a comment.
      if (d.visibility !== 'public' || (d.via !== undefined && d.via !== 'provideInformation')) return [];
      template = 'ticket-comment';
      extra = () => ({ body: d.body, author: (d.author as { name?: string } | undefined)?.name ?? 'Woop' });
      break;
    case 'ticket.information_requested':
      template = 'ticket-information-requested';
      extra = () => ({ question: d.question });
      break;
    case 'ticket.resolved':
    case 'ticket.validation_reminder':
      template = event.type === 'ticket.resolved' ? 'ticket-resolved' : 'ticket-validation-reminder';
      extra = (locale) => ({
        answer: d.answer,
        validationDue: formatDate(d.validationDueAt, locale),
        validateLink: `${ticketLink}?action=acceptResolution`,
        rejectLink: `${ticketLink}?action=rejectResolution`,
      });
      break;
    case 'ticket.shared':
      template = 'ticket-shared';
      extra = () => ({ author: (d.by as { name?: string } | undefined)?.name ?? 'Woop' });
      break;
    default:
      return []; // internal notes, assignments, priorities, removals: for agents, not emailed
  }

  // Confidential requests (security) go to their reporter only, never to anyone else. A share
  // is told to the people just added, not to everyone.
  const people =
    event.type === 'ticket.shared'
      ? new Set(ticket.confidential ? [] : ((d.people as Array<{ id: string }> | undefined) ?? []).map((p) => p.id))
      : new Set<string>([ticket.requester.id, ...(ticket.confidential ? [] : (ticket.sharedWith ?? []))]);
  const by = (d.by as { id?: string } | undefined)?.id;
  if (by) people.delete(by);
  const author = (d.author as { id?: string } | undefined)?.id;
  if (author) people.delete(author); // nobody is emailed their own comment
  const planned: PlannedEmail[] = [];
  for (const userId of people) {
    const who = await ctx.recipient(userId);
    if (!who?.active || !(await ctx.wantsEmails(userId, ticket.reference))) continue;
    planned.push({
      key: userId,
      recipientId: userId,
      address: who.email,
      locale: who.locale,
      template,
      data: { ...base, name: who.fullName, ...extra(who.locale) },
    });
  }
  return planned;
}

/** What agents are emailed about: `new-request` has a template of its own, the rest share one. */
type AgentEmailKind =
  'new-request' | 'comment' | 'information' | 'resolution-rejected' | 'rejection-contested' | 'reopened';

/**
 * The customer's move that each status change stands for: these transitions have no other
 * cause (lifecycle.ts), so the event needs no actor to be told apart.
 */
const CUSTOMER_MOVES: Array<{ from: TicketStatus; to: TicketStatus; kind: AgentEmailKind }> = [
  { from: 'resolved', to: 'in_progress', kind: 'resolution-rejected' },
  { from: 'rejected', to: 'open', kind: 'rejection-contested' },
  { from: 'done', to: 'in_progress', kind: 'reopened' },
];

/**
 * Which agents' email an event is, and for whom: a new request goes to the team it starts in;
 * a customer's comment or information to the assigned agent only; a rejected answer, a contested
 * rejection or a reopening to the assigned agent, or the team when nobody is assigned.
 */
function agentEmailOf(
  event: EventEnvelope,
): { kind: AgentEmailKind; audience: 'team' | 'assignee' | 'assignee-or-team' } | undefined {
  const d = event.data;
  switch (event.type) {
    case 'ticket.created':
      return { kind: 'new-request', audience: 'team' };
    case 'ticket.comment_added': {
      const author = d.author as { role?: string } | undefined;
      if (d.visibility !== 'public' || author?.role !== 'customer') return undefined;
      if (d.via === undefined) return { kind: 'comment', audience: 'assignee' };
      return d.via === 'provideInformation' ? { kind: 'information', audience: 'assignee' } : undefined;
    }
    case 'ticket.status_changed': {
      const move = CUSTOMER_MOVES.find((m) => m.from === d.from && m.to === d.to);
      return move ? { kind: move.kind, audience: 'assignee-or-team' } : undefined;
    }
    default:
      return undefined;
  }
}

/** Agents' emails, in their language, to those who have them on; never to the change's author. */
async function planAgents(event: EventEnvelope, ctx: PlanContext): Promise<PlannedEmail[]> {
  const what = agentEmailOf(event);
  if (!what) return [];
  const d = event.data;
  const ticket = d.ticket as TicketFacts;
  const team = ticket.assignment?.team;
  const agentId = ticket.assignment?.agentId;

  let candidates: Recipient[] = [];
  let unassigned = false;
  if (what.audience !== 'team' && agentId) {
    // The ticket names its agent, whatever their copy says of their role.
    const assignee = await ctx.recipient(agentId);
    if (assignee) candidates = [assignee];
  } else if (what.audience !== 'assignee' && team) {
    candidates = await ctx.teamAgents(team);
    unassigned = what.audience === 'assignee-or-team';
  }

  // A new request is its requester's act; the others name their author (all customers today).
  const author = event.type === 'ticket.created' ? ticket.requester.id : (d.author as { id?: string } | undefined)?.id;
  const by = (d.by as { id?: string } | undefined)?.id;
  const authorName = (d.author as { name?: string } | undefined)?.name ?? ticket.requester.name;
  const ticketLink = new URL(`/requests/${ticket.reference}`, ctx.portalUrl).toString();
  const planned: PlannedEmail[] = [];
  for (const who of candidates) {
    if (!who.active || who.status === 'invited' || who.userId === author || who.userId === by) continue;
    // A confidential request stays within its team: an agent outside it does not see it either.
    if (ticket.confidential && (!team || !who.teams.includes(team))) continue;
    if (!(await ctx.wantsAgentEmails(who.userId))) continue;
    planned.push({
      // Not the bare user id: a person emailed as a customer and as an agent gets both.
      key: `agent:${who.userId}`,
      recipientId: who.userId,
      address: who.email,
      locale: who.locale,
      template: what.kind === 'new-request' ? 'agent-new-request' : 'agent-ticket-update',
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
        author: authorName,
        body: d.body,
        reason: d.reason,
        unassigned,
      },
    });
  }
  return planned;
}

export async function planEmails(event: EventEnvelope, ctx: PlanContext): Promise<PlannedEmail[]> {
  if (event.type.startsWith('user.')) return planIdentity(event);
  if (event.type.startsWith('ticket.')) return [...(await planTicket(event, ctx)), ...(await planAgents(event, ctx))];
  return [];
}
