import {
  STATUS_LABELS,
  type EventEnvelope,
  type IdentityEventData,
  type Locale,
  type TicketStatus,
  type UserFacts,
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
}

export interface PlanContext {
  portalUrl: string;
  /** Known users (kept from user.* events). */
  recipient(userId: string): Promise<Recipient | undefined>;
  /** Whether this user wants emails about this ticket (default yes). */
  wantsEmails(userId: string, reference: string): Promise<boolean>;
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
      // An answer or a question has an email of its own (resolved, information requested).
      if (d.visibility !== 'public' || d.via !== undefined) return [];
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

export async function planEmails(event: EventEnvelope, ctx: PlanContext): Promise<PlannedEmail[]> {
  if (event.type.startsWith('user.')) return planIdentity(event);
  if (event.type.startsWith('ticket.')) return planTicket(event, ctx);
  return [];
}
