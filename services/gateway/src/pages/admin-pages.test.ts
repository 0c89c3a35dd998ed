import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORIES, REQUEST_TYPES } from '@woop/contracts';
import { typeFormValues } from './admin-forms';
import { PORTAL_DIR, type Locale } from './i18n';
import { createPageRenderer } from './render';

const renderer = createPageRenderer();
/** A text of ours left untranslated shows as its key. */
const UNTRANSLATED = /\b(admin|console)\.[a-z-]+(\.[a-z_-]+)*\b/;

const catalogue = (locale: Locale) =>
  JSON.parse(readFileSync(join(PORTAL_DIR, 'locales', locale, 'console.json'), 'utf8')) as Record<string, string>;

describe('the console and administration catalogues', () => {
  it('have the same keys in French and English, all ours', () => {
    const fr = Object.keys(catalogue('fr')).sort();
    expect(Object.keys(catalogue('en')).sort()).toEqual(fr);
    for (const key of fr) expect(key).toMatch(/^(admin|console)\./);
  });
});

const people = [
  {
    userId: 'u1',
    email: 'claire@enseigne.example',
    fullName: 'Claire Martin',
    role: 'customer',
    organizationId: 'org-1',
    organization: 'Enseigne démo',
    orgAdmin: true,
    teams: [],
    locale: 'fr',
    status: 'active',
    createdAt: '2026-05-01T10:00:00Z',
  },
  {
    userId: 'u2',
    email: 'new@example.org',
    fullName: '',
    role: 'customer',
    orgAdmin: false,
    teams: [],
    locale: 'en',
    status: 'invited',
    waiting: true,
    createdAt: '2026-05-01T10:00:00Z',
  },
  {
    userId: 'u3',
    email: 'paul@woop.example',
    fullName: 'Paul Agent',
    role: 'agent',
    orgAdmin: false,
    teams: ['support', 'security'],
    locale: 'fr',
    status: 'deactivated',
    you: true,
    createdAt: '2026-05-01T10:00:00Z',
  },
];
const org = { organizationId: 'org-1', name: 'Enseigne démo', kind: 'retailer', emailDomains: ['enseigne.example'] };
const options = [{ value: 'a', label: 'A' }];
const type = REQUEST_TYPES.find((t) => t.key === 'user-management')!;

const pages: Array<[string, Record<string, unknown>]> = [
  ['admin-home', { adminSection: 'home', counts: { organizations: 2, users: 1, waiting: 3, types: 10 } }],
  ['admin-organizations', { adminSection: 'organizations', organizations: [{ ...org, members: 1 }] }],
  ['admin-organization', { org, values: { name: 'x', emailDomains: 'a.fr' }, errors: { name: 'Non' } }],
  ['admin-organization', { values: { kind: 'carrier' }, kinds: options, message: 'Refusé' }],
  [
    'admin-users',
    { users: people, organizations: options, roles: options, statuses: options, filter: { organization: 'none' } },
  ],
  [
    'admin-user-invite',
    {
      values: { role: 'agent', orgAdmin: 'true' },
      roles: options,
      organizations: options,
      locales: options,
      teams: [{ name: 'support', checked: true }],
      errors: { teams: 'Mauvais', organizationId: 'Choisir' },
    },
  ],
  ...people.map((person): [string, Record<string, unknown>] => [
    'admin-user',
    {
      person,
      you: person.you,
      waiting: person.waiting,
      organization: person.organizationId ? org : undefined,
      values: { role: person.role },
      roles: options,
      organizations: options,
      teams: [{ name: 'support', checked: false }],
    },
  ]),
  ['admin-user-erase', { person: people[0], name: 'Claire Martin', title: 'Effacer' }],
  ['admin-catalogue', { types: REQUEST_TYPES.map((t) => ({ ...t, categoryLabel: CATEGORIES[t.category] })) }],
  [
    'admin-request-type',
    {
      type: { ...type, version: 3 },
      values: typeFormValues(type),
      categories: options,
      portals: [{ value: 'retailer', label: 'R' }],
      slaPolicies: options,
      versions: [3, 2, 1],
      errors: { fields: 'JSON', portals: 'Aucun' },
    },
  ],
  [
    'admin-request-type-version',
    {
      key: type.key,
      shown: type,
      current: false,
      currentVersion: 2,
      next: 2,
      categoryLabel: CATEGORIES[type.category],
    },
  ],
];

describe('the administration pages', () => {
  it.each(pages.flatMap(([name, model]) => (['fr', 'en'] as const).map((locale) => [name, locale, model] as const)))(
    '%s renders every text in %s',
    (name, locale, model) => {
      const html = renderer.render(name, { locale, section: 'admin', csrfToken: 'tok', ...model });
      expect(html).not.toMatch(UNTRANSLATED);
      // Every form that changes something carries the CSRF token.
      const posts = html.match(/<form method="post"/g)?.length ?? 0;
      const tokens = html.match(/name="_csrf" value="tok"/g)?.length ?? 0;
      expect(tokens).toBe(posts);
    },
  );

  it('labels every control of the forms', () => {
    for (const [name, model] of pages) {
      const html = renderer.render(name, { locale: 'fr', section: 'admin', csrfToken: 'tok', ...model } as never);
      const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
      for (const [, id] of main.matchAll(/<(?:input|select|textarea)[^>]*\bid="([^"]+)"/g)) {
        expect([name, main.includes(`for="${id}"`)]).toEqual([name, true]);
      }
      for (const control of main.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)) {
        if (/type="hidden"/.test(control[0])) continue;
        expect([name, control[0]]).toEqual([name, expect.stringMatching(/\bid="/)]);
      }
    }
  });

  it('ticks what the person has: teams, organisation admin, portals, confidential', () => {
    const invite = renderer.render('admin-user-invite', { locale: 'fr', ...pages[5]![1] } as never);
    expect(invite).toMatch(/id="team-support" name="teams" value="support" checked/);
    expect(invite).toMatch(/id="user-org-admin" name="orgAdmin" value="true" checked/);
    const edit = renderer.render('admin-request-type', { locale: 'fr', ...pages.at(-2)![1] } as never);
    expect(edit).toMatch(/id="type-portal-retailer" name="portals" value="retailer" checked/);
    expect(edit).not.toMatch(/id="type-confidential"[^>]*checked/);
  });

  it('gives textareas back exactly as typed, without the template indentation', () => {
    const typed = 'ligne 1\n  ligne 2\nligne 3';
    const model = pages.find(([name]) => name === 'admin-request-type')![1];
    const values = { ...(model.values as object), descriptionFr: typed, fields: typed };
    const html = renderer.render('admin-request-type', { locale: 'fr', ...model, values } as never);
    expect(html).toContain(
      `name="descriptionFr" rows="3" required aria-required="true" maxlength="2000">${typed}</textarea>`,
    );
    expect(html).toContain(`>${typed}</textarea>`);
    const org = renderer.render('admin-organization', { locale: 'fr', values: { emailDomains: typed } } as never);
    expect(org).toContain(`>${typed}</textarea>`);
  });
});
