import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { REPLY_ABOVE_LINE, type Locale } from '@woop/contracts';

/**
 * Email templates: `templates/emails/<name>.{html,text}.hbs` inside a shared layout, with every
 * sentence in `templates/locales/{fr,en}.json` (French by default). `{{t "key" name=…}}`
 * translates and fills `{name}`; HTML output is escaped, the text part is not.
 */
export const TEMPLATE_NAMES = [
  'signup-link',
  'signup-existing-account',
  'signup-not-allowed',
  'password-reset',
  'invitation',
  'account-changed',
  'ticket-created',
  'ticket-status-changed',
  'ticket-comment',
  'ticket-information-requested',
  'ticket-resolved',
  'ticket-validation-reminder',
  'ticket-csat',
  'ticket-sla-alert',
  'ticket-shared',
  'agent-new-request',
  'agent-ticket-update',
  'mail-no-account',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/**
 * The emails about a request sent to a person: replyable (a Reply-To token for the recipient,
 * see the dispatcher). Their first line is REPLY_ABOVE_LINE in their language (the reader cuts a
 * reply there) and their footer says how to answer. Not an SLA alert: it goes to a team mailbox,
 * which is nobody a reply token could name.
 */
export const REPLYABLE_TEMPLATES: ReadonlySet<TemplateName> = new Set(
  TEMPLATE_NAMES.filter((n) => (n.startsWith('ticket-') || n.startsWith('agent-')) && n !== 'ticket-sla-alert'),
);

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export const TEMPLATES_DIR = join(__dirname, '..', '..', '..', 'templates');

type Strings = Record<string, string>;

export function createRenderer(dir = TEMPLATES_DIR) {
  const strings: Record<Locale, Strings> = {
    fr: JSON.parse(readFileSync(join(dir, 'locales', 'fr.json'), 'utf8')) as Strings,
    en: JSON.parse(readFileSync(join(dir, 'locales', 'en.json'), 'utf8')) as Strings,
  };
  const translate = (locale: Locale, key: string, params: Record<string, unknown> = {}): string => {
    const template = strings[locale][key] ?? strings.fr[key];
    if (template === undefined) throw new Error(`no text for "${key}"`);
    return template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      // A nested {{t}} in the text part hands over a SafeString.
      return value instanceof Handlebars.SafeString ? value.toString() : '';
    });
  };

  // Two environments: HTML escapes what it prints, text prints as is.
  const build = (escape: boolean) => {
    const hb = Handlebars.create();
    hb.registerHelper('t', function (this: { locale: Locale }, key: string, options: Handlebars.HelperOptions) {
      const root = (options.data as { root?: { locale?: Locale } } | undefined)?.root;
      const out = translate(root?.locale ?? 'fr', key, options.hash as Record<string, unknown>);
      return escape ? out : new hb.SafeString(out);
    });
    hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
    hb.registerPartial('button', readFileSync(join(dir, 'layouts', 'button.html.hbs'), 'utf8'));
    return hb;
  };
  const html = build(true);
  const text = build(false);
  const compile = (hb: typeof Handlebars, file: string) =>
    hb.compile(readFileSync(file, 'utf8'), { strict: true, noEscape: hb === text });
  const layouts = {
    html: compile(html, join(dir, 'layouts', 'base.html.hbs')),
    text: compile(text, join(dir, 'layouts', 'base.text.hbs')),
  };
  const bodies = new Map<string, { html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate }>();
  for (const name of TEMPLATE_NAMES) {
    bodies.set(name, {
      html: compile(html, join(dir, 'emails', `${name}.html.hbs`)),
      text: compile(text, join(dir, 'emails', `${name}.text.hbs`)),
    });
  }
  const unknown = readdirSync(join(dir, 'emails')).filter((f) => !TEMPLATE_NAMES.some((n) => f.startsWith(`${n}.`)));
  if (unknown.length > 0) throw new Error(`templates without a name in TEMPLATE_NAMES: ${unknown.join(', ')}`);

  return {
    render(
      name: TemplateName,
      locale: Locale,
      data: Record<string, unknown>,
      subjectKey = `${name}.subject`,
    ): RenderedEmail {
      const body = bodies.get(name)!;
      const context = { ...data, locale };
      // One line whatever people typed into what it quotes (a summary): a header is no place for
      // a line break, which some relays would take for the start of another header.
      const subject = translate(locale, subjectKey, data).replace(/\s+/g, ' ').trim();
      const replyAbove = REPLYABLE_TEMPLATES.has(name) ? REPLY_ABOVE_LINE[locale] : '';
      return {
        subject,
        html: layouts.html({ ...context, subject, replyAbove, body: body.html(context) }),
        text: `${layouts.text({ ...context, subject, replyAbove, body: body.text(context) }).trim()}\n`,
      };
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
