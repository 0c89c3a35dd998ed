import type { TFunction } from 'i18next';
import { fillPlaceholders, type CannedAnswer, type CannedAnswerList, type PlaceholderValues } from '@woop/contracts';
import type { Locale } from '../i18n';
import type { PageContext } from '../kit';

/**
 * Canned answers on the agent's request page: the answers the agent may use (their teams'; an
 * admin's, every team's), each already filled for this request in the request's language, so
 * that the reply form takes one without JavaScript (`?canned=<id>` renders the page with the
 * reply pre-filled) and, with it, without a reload (canned.js copies the option's text).
 */

/** The answers the caller may insert; none while the tickets service does not give them. */
export const insertableAnswers = (ctx: PageContext): Promise<CannedAnswer[]> =>
  ctx
    .call<CannedAnswerList>('tickets', { method: 'GET', path: '/v1/canned-answers' })
    .then((l) => l.items)
    .catch((err: unknown) => {
      ctx.req.log.warn({ err }, 'canned answers unavailable; request page served without them');
      return [];
    });

/**
 * The language of a request: its requester's (the account's language, which their emails use
 * too), else French, the portal's default, for a requester the directory no longer has (erased)
 * or while it does not answer.
 */
export const requestLocale = (requesterLocale: Locale | undefined): Locale => requesterLocale ?? 'fr';

export interface OfferInput {
  answers: CannedAnswer[];
  /** The request's language: the texts inserted are in it. */
  locale: Locale;
  /** The page's language: the titles the agent picks from are in it. */
  pageLocale: Locale;
  values: PlaceholderValues;
  /** `?canned=` of the URL: the answer asked for, if any. */
  chosen?: unknown;
  t: TFunction;
}

/**
 * What the reply form offers: the answers by team (titles in the page's language, texts filled
 * in the request's), the text of the one asked for (`text`), or `missing` when the URL names
 * one the agent may not (or no longer) use.
 */
export function cannedOffer({ answers, locale, pageLocale, values, chosen, t }: OfferInput) {
  const asked = typeof chosen === 'string' && chosen !== '' ? chosen : undefined;
  const picked = asked ? answers.find((a) => a.id === asked) : undefined;
  const teams = [...new Set(answers.map((a) => a.team))].sort();
  return {
    groups: teams.map((team) => ({
      team,
      options: answers
        .filter((a) => a.team === team)
        .map((a) => ({
          id: a.id,
          title: a.title[pageLocale],
          text: fillPlaceholders(a.body[locale], values),
          selected: a.id === picked?.id,
        }))
        .sort((a, b) => a.title.localeCompare(b.title, pageLocale)),
    })),
    language: t(`canned.language.${locale}`),
    locale,
    text: picked ? fillPlaceholders(picked.body[locale], values) : undefined,
    missing: asked !== undefined && !picked,
  };
}
export type CannedOffer = ReturnType<typeof cannedOffer>;

/** The offer on one request's page: filled for its requester, reference and type, and the agent. */
export function offerOnRequest(
  ctx: PageContext,
  request: {
    reference: string;
    ticket: { requester: { name: string }; requestType: string };
    /** The request type's version the request was made under, for its label. */
    type?: { label: Record<Locale, string> };
    requesterLocale?: Locale;
  },
  answers: CannedAnswer[],
): CannedOffer {
  const locale = requestLocale(request.requesterLocale);
  return cannedOffer({
    answers,
    locale,
    pageLocale: ctx.locale,
    t: ctx.t,
    chosen: ctx.req.query.canned,
    values: {
      customerName: request.ticket.requester.name,
      reference: request.reference,
      type: request.type?.label[locale] ?? request.ticket.requestType,
      agentName: ctx.me?.name ?? '',
    },
  });
}
