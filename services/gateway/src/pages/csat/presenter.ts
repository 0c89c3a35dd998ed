import { ticketActionPayloads, type CsatRating, type TicketActionName } from '@woop/contracts';
import { formatDate, formErrors, type Locale } from '../i18n';
import type { PageContext } from '../kit';

/**
 * Satisfaction (CSAT) as the pages show it: the question with its five scores and a comment
 * (on the request page while the request is TERMINÉ and this closure unrated, and on the
 * emailed link's page), and the rating given (the agent's view, the requester's page).
 */

export const SCORES = [1, 2, 3, 4, 5] as const;

/** What a rating form holds: where it posts, the link's token if any, the values and the errors. */
export interface CsatForm {
  action: string;
  token?: string;
  score?: number;
  comment?: string;
  errors?: Record<string, string>;
}

/** The five scores as radio buttons, the chosen one checked. */
export function csatFormView(ctx: PageContext, form: CsatForm) {
  return {
    ...form,
    scores: SCORES.map((score) => ({
      score,
      checked: form.score === score,
      label: ctx.t(`csat.score-${score}`),
    })),
  };
}

/** A score given in a form or a link (`"4"`), or undefined when it is none of the five. */
export function scoreOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[1-5]$/.test(value) ? Number(value) : undefined;
  return n;
}

/** A posted rating checked with the contract's `rate` schema, in the page's words. */
export function checkRating(body: Record<string, string | undefined>, locale: Locale) {
  const comment = (body.comment ?? '').trim();
  const payload = { score: scoreOf(body.score), ...(comment ? { comment: body.comment } : {}) };
  return formErrors(ticketActionPayloads.rate, payload, locale);
}

/** The rating as a line of the request page: "4 / 5 — Rapide, merci (Claire Martin, 7 déc. 2026 à 10:02)". */
export function ratingView(ctx: PageContext, csat: CsatRating) {
  return {
    score: csat.score,
    text: ctx.t('csat.rating', { score: csat.score }),
    comment: csat.comment,
    by: csat.by.name,
    at: formatDate(csat.at, ctx.locale),
  };
}

/** What the request page shows of satisfaction: the question (to whom may answer now) and the latest rating. */
export function csatPanel(
  ctx: PageContext,
  ticket: { reference?: string; status: string; csat?: CsatRating },
  reference: string,
  allowed: readonly string[],
) {
  const prompt = (allowed as readonly TicketActionName[]).includes('rate')
    ? csatFormView(ctx, { action: `/requests/${reference}/csat`, score: scoreOf(ctx.req.query.csat) })
    : undefined;
  const rating = ticket.csat ? ratingView(ctx, ticket.csat) : undefined;
  return prompt || rating ? { prompt, rating } : undefined;
}
