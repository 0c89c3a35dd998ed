import { STATUS_LABELS, type Locale, type TicketEvent } from '@woop/contracts';
import type { CsatLinkClaims } from '@woop/service-kit';

/**
 * Satisfaction (CSAT): when a request becomes TERMINÉ (its answer accepted, or the validation
 * window elapsed), its requester's email about it also asks "Êtes-vous satisfait de la
 * réponse ?", with one link per score. A link opens the portal's `/csat` page, which takes the
 * rating without logging in: its token, sealed for the requester and that closure
 * (`csat-link.ts`), is the credential. One email, not a status email and a survey.
 */

/** Makes a link's token (`csatLinkToken` with MAIL_REPLY_KEY). */
export type CsatTokenMaker = (claims: CsatLinkClaims) => string;

/** Whether `e` is the request becoming TERMINÉ, the moment its requester is asked to rate the answer. */
export function asksForRating(e: TicketEvent): boolean {
  const change = 'statusChange' in e.data ? e.data.statusChange : undefined;
  return change?.to === 'done' && e.data.ticket.status === 'done';
}

/** The data of the `ticket-csat` email for the requester, in their language. */
export function csatEmailData(
  e: TicketEvent,
  ctx: { portalUrl: string; csatToken: CsatTokenMaker },
  locale: Locale,
): Record<string, unknown> {
  const ticket = e.data.ticket;
  const token = ctx.csatToken({ reference: ticket.reference, userId: ticket.requester.id, issuedAt: e.time });
  const link = (score: number) => {
    const url = new URL('/csat', ctx.portalUrl);
    url.searchParams.set('token', token);
    url.searchParams.set('score', String(score));
    url.searchParams.set('lang', locale);
    return url.toString();
  };
  return {
    statusLabel: STATUS_LABELS.done[locale],
    reason: 'reason' in e.data ? e.data.reason : undefined,
    csatLinks: [1, 2, 3, 4, 5].map((score) => ({ score, href: link(score) })),
  };
}
