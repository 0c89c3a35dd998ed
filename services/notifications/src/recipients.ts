import {
  dataVersionOf,
  readTicketEvents,
  STATUS_LABELS,
  type EventEnvelope,
  type IdentityEventData,
  type IdentityLinkEventDataV1,
  type LinkEventType,
  type Locale,
  type TicketEvent,
  type UserFacts,
  type UserRole,
} from '@woop/contracts';
import type { TemplateName } from './templates';
import { asksForRating, csatEmailData, type CsatTokenMaker } from './csat-email';

/** Who gets which email for one event. `key` identifies the recipient in the delivery log. */
export interface PlannedEmail {
  key: string;
  address: string;
  recipientId?: string;
  locale: Locale;
  template: TemplateName;
  subjectKey?: string;
  data: Record<string, unknown>;
  /** Ticket emails: who may read the delivery log's row (see `ticketAccess`). */
  access?: TicketAccess;
  /**
   * An email about a request to a person: sent with a reply token for them (Reply-To and
   * Message-ID), so that their emailed reply lands on the request as theirs.
   */
  replyFor?: { reference: string; userId: string };
}

/**
 * Whether an email's ticket is confidential and the teams it was with, as the event told: the
 * delivery log shows the rows of a confidential ticket only to those who may see the ticket
 * (admins, the security team, the team it was assigned or escalated to), as the tickets service
 * decides who sees it.
 */
export interface TicketAccess {
  confidential: boolean;
  teams: string[];
}

/**
 * A person an event's email is for whom the directory does not know yet: their user.* event
 * (another topic, in no order with the ticket's) has not been read. The email waits for them
 * (`awaiting.ts`): retried, then parked until their event arrives; never dropped. An erased
 * person is known (a tombstone) and gets nothing.
 */
export interface AwaitedRecipient {
  /** The delivery log's recipient key the email would have (`userId`, `agent:<userId>`). */
  key: string;
  userId: string;
  template: TemplateName;
}

/** What one event makes: the emails to send now, and those waiting for their recipient. */
export interface EmailPlan {
  emails: PlannedEmail[];
  awaiting: AwaitedRecipient[];
}

function ticketAccess(e: TicketEvent): TicketAccess {
  const teams = new Set<string>();
  if (e.data.ticket.assignment.team) teams.add(e.data.ticket.assignment.team);
  if (e.type === 'ticket.sla_breached') teams.add(e.data.escalationTeam);
  return { confidential: e.data.ticket.confidential, teams: [...teams] };
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
  /** Known users (kept from user.* events; an erased one as a tombstone, status `erased`). */
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
  /**
   * The link sealed into a version 2 sign-up, reset or invitation event for `address`
   * (`unseal` with the shared key and `linkSealContext`); throws when it does not open.
   */
  openLink(type: LinkEventType, address: string, sealedLink: string): string;
  /** The token of a satisfaction link for the requester of a request that became TERMINÉ (`csat-email.ts`). */
  csatToken: CsatTokenMaker;
  /** Told of an event its contract cannot read (it makes no email). */
  unreadable?(event: EventEnvelope, err: unknown): void;
}

const minutesUntil = (iso: unknown) => Math.max(1, Math.round((Date.parse(String(iso)) - Date.now()) / 60_000));

/** An instant in Paris time: `long` "8 décembre 2026 à 11:00", `full` with the weekday (a due time). */
function formatDate(iso: unknown, locale: Locale, style: 'long' | 'full' = 'long'): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: style,
    timeStyle: 'short',
    timeZone: 'Europe/Paris',
  }).format(new Date(String(iso)));
}

/**
 * The link a sign-up, reset or invitation event asks to email to `address`. Version 2 carries it
 * sealed for this service; version 1 (written before, raw) is still read while such events remain
 * on the topic during a rollout. Either way only a link to this portal is emailed: an event
 * forged onto the topic cannot send people to another site with the portal's words.
 */
function linkOf(event: EventEnvelope, type: LinkEventType, address: string, ctx: PlanContext): string {
  const version = dataVersionOf(event);
  const link =
    version === 2
      ? ctx.openLink(type, address, String((event.data as IdentityEventData[LinkEventType]).sealedLink))
      : String((event.data as IdentityLinkEventDataV1[LinkEventType]).link);
  if (new URL(link).origin !== new URL(ctx.portalUrl).origin) throw new Error('a link outside the portal');
  return link;
}

/** Versions of the identity events this service reads (absent from the map: 1 only). */
const IDENTITY_VERSIONS_READ: Partial<Record<string, number[]>> = {
  'user.signup_requested': [1, 2],
  'user.password_reset_requested': [1, 2],
  'user.invited': [1, 2],
};

/** Account emails go to the address in the event (the account may not exist yet). */
function planIdentity(event: EventEnvelope, ctx: PlanContext): PlannedEmail[] {
  const d = event.data;
  const version = dataVersionOf(event);
  if (!(IDENTITY_VERSIONS_READ[event.type] ?? [1]).includes(version)) {
    throw new Error(`version ${version} of ${event.type} is not one this service reads`);
  }
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
      const link = linkOf(event, event.type, e.email, ctx);
      return to(e.email, e.locale, 'signup-link', { link, expiresInMinutes: minutesUntil(e.expiresAt) });
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
      const link = linkOf(event, event.type, e.email, ctx);
      return to(e.email, e.locale, 'password-reset', { link, expiresInMinutes: minutesUntil(e.expiresAt) });
    }
    case 'user.invited': {
      const e = d as IdentityEventData['user.invited'];
      const days = Math.max(1, Math.round(minutesUntil(e.expiresAt) / 1440));
      const link = linkOf(event, event.type, e.user.email, ctx);
      return to(e.user.email, e.user.locale, 'invitation', { link, expiresInDays: days }, e.user.userId);
    }
    case 'user.password_changed':
    case 'user.deactivated':
    case 'user.reactivated':
    case 'user.updated': {
      const user = (d as { user: UserFacts }).user;
      if (user.status === 'invited' || user.status === 'erased') return [];
      if (event.type === 'user.updated' && !changedRights(d as IdentityEventData['user.updated'])) return [];
      const change = event.type.slice('user.'.length);
      return to(user.email, user.locale, 'account-changed', { name: user.fullName, change }, user.userId);
    }
    default:
      return [];
  }
}

/**
 * Whether a `user.updated` is one the person must hear of: their rights (role, teams,
 * organisation, its administration) changed by somebody else. A name or a language, or anything
 * they changed themself (the footer's language switch, the profile form), is no security notice.
 */
function changedRights(e: IdentityEventData['user.updated']): boolean {
  const rights = new Set(['role', 'teams', 'organizationId', 'orgAdmin']);
  return e.by !== e.user.userId && e.changes.some((c) => rights.has(c));
}

/** A customer's email: its template and what it says. */
interface CustomerEmail {
  template: TemplateName;
  extra?: (locale: Locale) => Record<string, unknown>;
}

/**
 * The customers' email a ticket event is, if any, and what the person who acted gets: the same,
 * nothing (nobody is emailed their own words) or another email.
 */
function customerEmailOf(
  e: TicketEvent,
  ticketLink: string,
): { email: CustomerEmail; toActor: 'same' | 'none' | CustomerEmail } | undefined {
  const statusEmail = (): CustomerEmail | undefined => {
    const change = 'statusChange' in e.data ? e.data.statusChange : undefined;
    if (!change) return undefined;
    const reason = 'reason' in e.data ? e.data.reason : undefined;
    return {
      template: 'ticket-status-changed',
      extra: (locale) => ({ statusLabel: STATUS_LABELS[change.to][locale], reason }),
    };
  };
  const validation = (answer: string | undefined, due: string | undefined) => (locale: Locale) => ({
    answer,
    validationDue: formatDate(due, locale),
    validateLink: `${ticketLink}?action=acceptResolution`,
    rejectLink: `${ticketLink}?action=rejectResolution`,
  });
  const author = e.data.actor?.name ?? 'Woop';
  switch (e.type) {
    case 'ticket.created': {
      // The first answer's due time as the workflow computed it on the business calendar; none
      // from an older event, nor once it has passed (a late email never promises a time gone by).
      const due = e.data.firstResponseDueAt;
      const promised = due !== undefined && Date.parse(due) > Date.now() ? due : undefined;
      return {
        email: {
          template: 'ticket-created',
          extra: (locale) => ({ firstAnswerDue: promised && formatDate(promised, locale, 'full') }),
        },
        toActor: 'same',
      };
    }
    case 'ticket.information_requested':
      return {
        email: { template: 'ticket-information-requested', extra: () => ({ question: e.data.question }) },
        toActor: 'same',
      };
    case 'ticket.resolved':
      return {
        email: { template: 'ticket-resolved', extra: validation(e.data.answer, e.data.validationDueAt) },
        toActor: 'same',
      };
    case 'ticket.validation_reminder':
      return {
        email: { template: 'ticket-validation-reminder', extra: validation(undefined, e.data.validationDueAt) },
        toActor: 'same',
      };
    case 'ticket.replied':
    case 'ticket.commented':
      return { email: { template: 'ticket-comment', extra: () => ({ body: e.data.body, author }) }, toActor: 'none' };
    case 'ticket.information_provided':
      // The others read the information as a comment; who gave it is told where the request went.
      return {
        email: { template: 'ticket-comment', extra: () => ({ body: e.data.body, author }) },
        toActor: statusEmail() ?? 'none',
      };
    case 'ticket.shared':
      return { email: { template: 'ticket-shared', extra: () => ({ author }) }, toActor: 'none' };
    default: {
      // Any other move of the status (qualified and assigned when they move it, started, rejected,
      // the customer's validations, the windows that elapse): "the state of your request changed".
      const email = statusEmail();
      return email ? { email, toActor: 'same' } : undefined; // notes, priorities, files, removals: not emailed
    }
  }
}

/** Ticket emails: the requester and the people it is shared with, if they want them. */
async function planTicket(e: TicketEvent, ctx: PlanContext, awaiting: AwaitedRecipient[]): Promise<PlannedEmail[]> {
  const ticket = e.data.ticket;
  const ticketLink = new URL(`/requests/${ticket.reference}`, ctx.portalUrl).toString();
  const base = { reference: ticket.reference, summary: ticket.summary, ticketLink };

  if (e.type === 'ticket.sla_warning' || e.type === 'ticket.sla_breached') {
    const kind = e.type === 'ticket.sla_warning' ? 'warning' : 'breach';
    const teams = new Set<string>([ticket.assignment.team ?? 'support']);
    if (e.type === 'ticket.sla_breached') teams.add(e.data.escalationTeam);
    // A team mailbox is nobody in the directory: no reply token (a reply must come from the
    // person it was sent to, whose tag the token carries), so SLA alerts are not replyable.
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
              data: { ...base, kind, clock: e.data.clock, priority: e.data.priority },
            },
          ]
        : [];
    });
  }

  const what = customerEmailOf(e, ticketLink);
  if (!what) return [];
  // Confidential requests (security) go to their reporter only, never to anyone else. A share
  // is told to the people just added, not to everyone.
  const people =
    e.type === 'ticket.shared'
      ? new Set(ticket.confidential ? [] : e.data.people.map((p) => p.id))
      : new Set<string>([ticket.requester.id, ...(ticket.confidential ? [] : ticket.sharedWith)]);
  const actorId = e.data.actor?.id;
  const planned: PlannedEmail[] = [];
  for (const userId of people) {
    const email = userId !== actorId ? what.email : what.toActor === 'same' ? what.email : what.toActor;
    if (email === 'none') continue;
    // TERMINÉ: the requester's email also asks how satisfied they are (one email, with its links).
    const rating = userId === ticket.requester.id && asksForRating(e);
    const who = await ctx.recipient(userId);
    if (!who) {
      awaiting.push({ key: userId, userId, template: rating ? 'ticket-csat' : email.template });
      continue;
    }
    if (who.status === 'erased' || !who.active || !(await ctx.wantsEmails(userId, ticket.reference))) continue;
    planned.push({
      key: userId,
      recipientId: userId,
      replyFor: { reference: ticket.reference, userId },
      address: who.email,
      locale: who.locale,
      template: rating ? 'ticket-csat' : email.template,
      data: {
        ...base,
        name: who.fullName,
        ...(email.extra?.(who.locale) ?? {}),
        ...(rating ? csatEmailData(e, ctx, who.locale) : {}),
      },
    });
  }
  return planned;
}

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
async function planAgents(e: TicketEvent, ctx: PlanContext, awaiting: AwaitedRecipient[]): Promise<PlannedEmail[]> {
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
