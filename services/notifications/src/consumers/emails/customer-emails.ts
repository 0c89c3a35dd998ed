import { STATUS_LABELS, type Locale, type TicketEvent } from '@woop/contracts';
import type { TemplateName } from '../mail/templates';
import { asksForRating, csatEmailData } from './csat-email';
import type { AwaitedRecipient, PlanContext, PlannedEmail } from './types';

/** An instant in Paris time: `long` "8 décembre 2026 à 11:00", `full` with the weekday (a due time). */
function formatDate(iso: unknown, locale: Locale, style: 'long' | 'full' = 'long'): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: style,
    timeStyle: 'short',
    timeZone: 'Europe/Paris',
  }).format(new Date(String(iso)));
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
export async function planTicket(
  e: TicketEvent,
  ctx: PlanContext,
  awaiting: AwaitedRecipient[],
): Promise<PlannedEmail[]> {
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
