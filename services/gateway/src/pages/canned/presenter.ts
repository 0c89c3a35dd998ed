import type { TFunction } from 'i18next';
import {
  CANNED_PLACEHOLDERS,
  CANNED_TEXT_MAX,
  CANNED_TITLE_MAX,
  cannedAnswerBody,
  unknownPlaceholders,
  type CannedAnswer,
  type CannedAnswerInput,
} from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { formatDate, formErrors, type Locale } from '../i18n';

/**
 * The canned answers' management page as people read it: the form's fields and what the
 * tickets service takes, the answers grouped by team, and who may manage them at all.
 */

/** The form's fields: one per language for the title and the text. */
export type CannedForm = Record<'team' | 'titleFr' | 'titleEn' | 'bodyFr' | 'bodyEn', string> & { version?: string };

/** Each field of the service's body, and the form field that holds it. */
const FIELD_OF: Record<string, keyof CannedForm> = {
  team: 'team',
  'title.fr': 'titleFr',
  'title.en': 'titleEn',
  'body.fr': 'bodyFr',
  'body.en': 'bodyEn',
  version: 'version',
};

/**
 * Whether `me` manages canned answers: admins (every team), agents who lead a team (member of
 * `X-leads`, for `X`), as the tickets service decides; anyone else only reads them.
 */
export function managedTeams(me: VerifiedIdentity): string[] | 'all' {
  if (me.role === 'admin') return 'all';
  if (me.role !== 'agent') return [];
  return me.teams.filter((t) => /^.+-leads$/.test(t)).map((t) => t.slice(0, -'-leads'.length));
}

/** The placeholders as the form's help lists them, each with what fills it. */
export const placeholderHelp = (t: TFunction) =>
  CANNED_PLACEHOLDERS.map((name) => ({ code: `{{${name}}}`, label: t(`canned.placeholder.${name}`) }));

/** The form's values from a stored answer. */
export const formOf = (a: CannedAnswer): CannedForm => ({
  team: a.team,
  titleFr: a.title.fr,
  titleEn: a.title.en,
  bodyFr: a.body.fr,
  bodyEn: a.body.en,
  version: String(a.version),
});

/**
 * A posted form as the service's body, or its errors by field in the page's language: an
 * unknown placeholder is named, with the ones that exist.
 */
export function parseCannedForm(
  posted: Record<string, unknown>,
  locale: Locale,
  t: TFunction,
): { input: CannedAnswerInput; errors?: undefined } | { input?: undefined; errors: Record<string, string> } {
  const field = (name: keyof CannedForm) => (typeof posted[name] === 'string' ? posted[name] : '');
  const checked = formErrors(
    cannedAnswerBody,
    {
      team: field('team'),
      title: { fr: field('titleFr'), en: field('titleEn') },
      body: { fr: field('bodyFr'), en: field('bodyEn') },
    },
    locale,
  );
  if (!checked.errors) return { input: checked.data };
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(checked.errors)) {
    const name = FIELD_OF[path] ?? 'team';
    const unknown = name === 'bodyFr' || name === 'bodyEn' ? unknownPlaceholders(field(name)) : [];
    errors[name] ??=
      unknown.length > 0
        ? t('canned.unknown-placeholder', {
            count: unknown.length,
            found: unknown.join(', '),
            known: CANNED_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', '),
          })
        : message;
  }
  return { errors };
}

/** A service's field errors (`body.fr`) by form field (`bodyFr`). */
export const formFieldErrors = (errors: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([path, message]) => [FIELD_OF[path] ?? 'team', message]));

/** The form's fields as the template shows them: names, labels, limits, values and errors. */
export function formFields(t: TFunction, values: Partial<CannedForm>, errors: Record<string, string> = {}) {
  const field = (name: keyof CannedForm, max: number) => ({
    id: `canned-${name}`,
    name,
    label: t(`canned.field.${name}`),
    value: values[name] ?? '',
    error: errors[name],
    maxlength: max,
  });
  return {
    titles: [field('titleFr', CANNED_TITLE_MAX), field('titleEn', CANNED_TITLE_MAX)],
    bodies: [field('bodyFr', CANNED_TEXT_MAX), field('bodyEn', CANNED_TEXT_MAX)],
    teamError: errors.team,
  };
}

/** The answers by team, each team's in title order, with what a row shows. */
export function answerGroups(answers: CannedAnswer[], locale: Locale) {
  const groups = new Map<string, CannedAnswer[]>();
  for (const a of answers) groups.set(a.team, [...(groups.get(a.team) ?? []), a]);
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([team, items]) => ({
      team,
      answers: items
        .map((a) => ({
          id: a.id,
          title: a.title[locale],
          other: a.title[locale === 'fr' ? 'en' : 'fr'],
          excerpt: excerpt(a.body[locale]),
          updated: formatDate(a.updatedAt, locale),
        }))
        .sort((a, b) => a.title.localeCompare(b.title, locale)),
    }));
}

/** A text's first line, cut at 100 characters. */
export function excerpt(text: string): string {
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
