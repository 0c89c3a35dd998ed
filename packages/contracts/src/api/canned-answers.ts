import { z } from 'zod';
import { nonBlank } from '../tickets/actions';

/**
 * Canned answers (`/v1/canned-answers` on the tickets service, `/api/v1/canned-answers` on the
 * gateway): a team's ready-made replies, in French and English, with placeholders that the
 * reply form fills for the request at hand. Admins manage every team's; an agent who leads a
 * team (member of `<team>-leads`) manages that team's; agents read their teams'.
 */

/** What a canned answer may say between double braces, and what fills it on a request. */
export const CANNED_PLACEHOLDERS = ['customerName', 'reference', 'type', 'agentName'] as const;
export type CannedPlaceholder = (typeof CANNED_PLACEHOLDERS)[number];
export type PlaceholderValues = Record<CannedPlaceholder, string>;

export const CANNED_TITLE_MAX = 120;
/** Well under a reply's 20,000 characters, so that the filled text still fits one. */
export const CANNED_TEXT_MAX = 5_000;

const NAMES = CANNED_PLACEHOLDERS.join('|');
/**
 * A known placeholder: `{{name}}`, spaces allowed inside the braces (`{{ name }}`). Plain spaces
 * only: the fuzzer's regex engine (Python's) and JavaScript's disagree on what `\s` is.
 */
const KNOWN = new RegExp(`\\{\\{ *(${NAMES}) *\\}\\}`, 'g');
const KNOWN_HERE = new RegExp(`^\\{\\{ *(?:${NAMES}) *\\}\\}`);

/**
 * A text whose every `{{` opens a known placeholder, as one pattern the API document shows (and
 * the fuzzer generates from): characters other than `{`, a `{` followed by something else, or a
 * whole known placeholder; a lone `{` may end the text. No lookaround: linear, and the same in
 * every regex engine.
 */
export const PLACEHOLDER_PATTERN = new RegExp(`^(?:[^{]|\\{[^{]|\\{\\{ *(?:${NAMES}) *\\}\\})*\\{?$`);

/**
 * The `{{…}}` of a text that are not known placeholders, each as written (at most 40 characters),
 * once each, in order: what a refusal names. Empty exactly when `PLACEHOLDER_PATTERN` matches.
 */
export function unknownPlaceholders(text: string): string[] {
  const found: string[] = [];
  let i = text.indexOf('{{');
  while (i >= 0) {
    const known = KNOWN_HERE.exec(text.slice(i));
    if (known) {
      i = text.indexOf('{{', i + known[0].length);
      continue;
    }
    const end = text.indexOf('}}', i + 2);
    const shown =
      end >= 0 && end + 2 - i <= 40
        ? text.slice(i, end + 2)
        : `${text.slice(i, i + 39)}${text.length > i + 39 ? '…' : ''}`;
    if (!found.includes(shown)) found.push(shown);
    i = text.indexOf('{{', i + 2);
  }
  return found;
}

/** The sentence of a refusal, naming what is wrong and what may be written instead. */
export const placeholderMessage = (unknown: string[]): string =>
  `unknown placeholder ${unknown.join(', ')}: write ${CANNED_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;

/**
 * The text with its placeholders filled, in one pass: a value that itself looks like a
 * placeholder (a customer called "{{agentName}}") is written as it is, never filled again.
 * The result is plain text: whoever shows it escapes it (the pages' templates do).
 */
export const fillPlaceholders = (text: string, values: PlaceholderValues): string =>
  text.replace(KNOWN, (_whole, name: CannedPlaceholder) => values[name]);

/** A team's name, as identity's teams are named. */
const team = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/, 'a team: lower-case letters, digits and dashes')
  .describe('The team whose answer it is');

const cannedText = nonBlank(CANNED_TEXT_MAX).regex(PLACEHOLDER_PATTERN, {
  error: (issue) => placeholderMessage(unknownPlaceholders(String(issue.input))),
});
const title = nonBlank(CANNED_TITLE_MAX);

export const cannedAnswerBody = z.object({
  team,
  title: z.object({ fr: title, en: title }).describe('What agents pick it by, in each language'),
  body: z
    .object({ fr: cannedText, en: cannedText })
    .describe(`The text in each language; placeholders: ${CANNED_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`),
});
export type CannedAnswerInput = z.infer<typeof cannedAnswerBody>;

export const cannedAnswerUpdateBody = cannedAnswerBody.extend({
  version: z
    .number()
    .int()
    .min(1)
    .describe('The version edited (from the answer read): 409 `canned_answer_conflict` once someone saved another'),
});
export type CannedAnswerUpdate = z.infer<typeof cannedAnswerUpdateBody>;

export const cannedAnswerParams = z.object({
  answerId: z
    .string()
    .regex(/^[a-f0-9]{24}$/, 'a canned answer id')
    .describe('The answer’s id'),
});

export const cannedAnswerListQuery = z.object({ team: team.optional().describe('Only this team’s answers') });

export const cannedAnswerSchema = z.object({
  id: z.string(),
  team: z.string(),
  title: z.object({ fr: z.string(), en: z.string() }),
  body: z.object({ fr: z.string(), en: z.string() }),
  version: z.number().int().min(1).describe('Send it back with an edit'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CannedAnswer = z.infer<typeof cannedAnswerSchema>;

export const cannedAnswerList = z.object({
  items: z.array(cannedAnswerSchema).describe('The answers of the teams the caller works in or leads (admins: all)'),
  teams: z.array(z.string()).describe('The teams the caller may add answers to (none: the caller only reads)'),
});
export type CannedAnswerList = z.infer<typeof cannedAnswerList>;
