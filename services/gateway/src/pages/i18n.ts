import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request } from 'express';
import i18next, { type TFunction } from 'i18next';
import { z } from 'zod';
import { parseCookies } from '../auth';

/** The portal's files: templates, message catalogues, stylesheet and script. */
export const PORTAL_DIR = join(__dirname, '..', '..', 'portal');

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** Chosen on a page before login ("English" / "Français"); the account's language wins after. */
export const LANGUAGE_COOKIE = 'woop_lang';
export const TIME_ZONE = 'Europe/Paris';

/** A language's catalogue: every `locales/<locale>/*.json` (one file per area of the portal), merged. */
function catalogue(locale: Locale): Record<string, string> {
  const dir = join(PORTAL_DIR, 'locales', locale);
  const merged: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    for (const [key, text] of Object.entries(
      JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>,
    )) {
      if (key in merged) throw new Error(`the text "${key}" is defined twice in locales/${locale}`);
      merged[key] = text;
    }
  }
  return merged;
}

/**
 * Every string of the pages, from one catalogue per language (French by default). Keys are
 * flat (`request.created-by`); `{{name}}` fills values; `_one`/`_other` suffixes are plurals.
 */
const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  lng: 'fr',
  fallbackLng: 'fr',
  keySeparator: false,
  nsSeparator: false,
  // Handlebars escapes what a page prints; escaping here too would double it.
  interpolation: { escapeValue: false },
  resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: catalogue(l) }])),
});

export const translator = (locale: Locale): TFunction => i18n.getFixedT(locale);
export const hasText = (locale: Locale, key: string): boolean => i18n.exists(key, { lng: locale });

export const isLocale = (value: unknown): value is Locale => value === 'fr' || value === 'en';

/** The language of a page: the account's, else the one picked before login, else the browser's, else French. */
export function localeOf(req: Request, accountLocale?: Locale): Locale {
  if (accountLocale) return accountLocale;
  const chosen = parseCookies(req.header('cookie'))[LANGUAGE_COOKIE];
  if (isLocale(chosen)) return chosen;
  const accepted = req.acceptsLanguages('fr', 'en');
  return accepted === 'en' ? 'en' : 'fr';
}

/** An instant in Paris time: `medium` "8 déc. 2026, 11:00", `long` "8 décembre 2026 à 11:00", `full` with the weekday. */
export function formatDate(
  iso: string | Date | undefined,
  locale: Locale,
  style: 'medium' | 'long' | 'full' = 'medium',
): string {
  if (iso === undefined) return '';
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: style,
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(date);
}

/** Zod's own messages in the page's language, for the forms checked before they reach a service. */
const zodErrors: Record<Locale, z.core.$ZodErrorMap> = {
  fr: z.locales.fr().localeError,
  en: z.locales.en().localeError,
};

/**
 * Field errors of a form as `{path: sentence}` in the page's language. A missing value says so
 * in a sentence of ours; anything else in zod's translated words.
 */
export function formErrors<S extends z.ZodType>(
  schema: S,
  input: unknown,
  locale: Locale,
): { data: z.infer<S>; errors?: undefined } | { data?: undefined; errors: Record<string, string> } {
  const t = translator(locale);
  const parsed = schema.safeParse(input, {
    error: (issue) => (issue.input === undefined || issue.input === '' ? t('form.required') : zodErrors[locale](issue)),
  });
  if (parsed.success) return { data: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.') || '_form';
    // The shared schemas say "required" for a missing value (ticket-form.ts): in the page's words here.
    errors[path] ??= issue.message === 'required' ? t('form.required') : issue.message;
  }
  return { errors };
}
