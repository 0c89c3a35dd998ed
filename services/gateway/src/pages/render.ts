import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STATUS_LABELS, type TicketStatus } from '@woop/contracts';
import Handlebars from 'handlebars';
import { formatDate, PORTAL_DIR, translator, type Locale } from './i18n';

const TEMPLATES = join(PORTAL_DIR, 'templates');
const ICONS = join(require.resolve('lucide-static/package.json'), '..', 'icons');

interface Root {
  locale: Locale;
}
const rootOf = (options: Handlebars.HelperOptions): Root =>
  (options.data as { root?: Root } | undefined)?.root ?? { locale: 'fr' };

/** Lucide icons, inlined (no request, no CSS trick) and hidden from screen readers: the text beside says it. */
const iconCache = new Map<string, string>();
function icon(name: string): string {
  const safe = /^[a-z0-9-]{1,50}$/.test(name) ? name : 'circle-help';
  let svg = iconCache.get(safe);
  if (svg === undefined) {
    const file = join(ICONS, `${safe}.svg`);
    const source = existsSync(file) ? file : join(ICONS, 'circle-help.svg');
    svg = readFileSync(source, 'utf8')
      .replace(/<!--[\s\S]*?-->\s*/, '')
      .replace('<svg', '<svg aria-hidden="true" focusable="false"')
      .replace(/\s+/g, ' ')
      .trim();
    iconCache.set(safe, svg);
  }
  return svg;
}

/**
 * The pages' handlebars environment: one layout, partials per component, a page per screen.
 * Helpers translate (`t`), format dates in Europe/Paris (`date`), pick a FR/EN text (`loc`),
 * print a status as the guide does (`status`, in capitals) and inline icons (`icon`).
 */
function createEnvironment() {
  const hb = Handlebars.create();
  hb.registerHelper('t', (key: string, options: Handlebars.HelperOptions) => {
    const root = rootOf(options);
    return translator(root.locale)(key, options.hash as Record<string, unknown>);
  });
  hb.registerHelper('date', (iso: string | undefined, options: Handlebars.HelperOptions) =>
    formatDate(iso, rootOf(options).locale, (options.hash as { style?: 'long' }).style ?? 'medium'),
  );
  hb.registerHelper('loc', (value: { fr?: string; en?: string } | undefined, options: Handlebars.HelperOptions) =>
    value ? (value[rootOf(options).locale] ?? value.fr ?? '') : '',
  );
  hb.registerHelper('statusCaps', (code: TicketStatus, options: Handlebars.HelperOptions) =>
    (STATUS_LABELS[code]?.[rootOf(options).locale] ?? code).toLocaleUpperCase(rootOf(options).locale),
  );
  hb.registerHelper(
    'statusLabel',
    (code: TicketStatus, options: Handlebars.HelperOptions) => STATUS_LABELS[code]?.[rootOf(options).locale] ?? code,
  );
  hb.registerHelper('icon', (name: string) => new hb.SafeString(icon(String(name))));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).find(Boolean) ?? args.at(-2));
  hb.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));
  hb.registerHelper('enc', (value: string | undefined) => encodeURIComponent(value ?? ''));
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hb.registerHelper('lookupIn', (obj: Record<string, unknown> | undefined, key: string) => obj?.[key]);
  for (const file of readdirSync(join(TEMPLATES, 'partials'))) {
    hb.registerPartial(basename(file, '.hbs'), readFileSync(join(TEMPLATES, 'partials', file), 'utf8'));
  }
  return hb;
}

export type PageName = string;

/** Pages compiled once at start; an unknown page name is a programming error, found by the tests. */
export function createPageRenderer() {
  const hb = createEnvironment();
  // preventIndent: an indented partial must not indent what a textarea holds.
  const compile = (file: string) => hb.compile(readFileSync(file, 'utf8'), { preventIndent: true });
  const layout = compile(join(TEMPLATES, 'layouts', 'main.hbs'));
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of readdirSync(join(TEMPLATES, 'pages'))) {
    pages.set(basename(file, '.hbs'), compile(join(TEMPLATES, 'pages', file)));
  }
  return {
    render(name: PageName, model: Record<string, unknown> & Root): string {
      const page = pages.get(name);
      if (!page) throw new Error(`no page template "${name}"`);
      return layout({ ...model, body: new hb.SafeString(page(model)) });
    },
  };
}

export type PageRenderer = ReturnType<typeof createPageRenderer>;
