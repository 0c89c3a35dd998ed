import type { CannedAnswer } from '@woop/contracts';
import { person } from '../../../../../test/support/people';
import { translator } from '../i18n';
import { createPageRenderer } from '../render';
import { cannedOffer, requestLocale } from './insert';
import { answerGroups, excerpt, formFields, managedTeams, parseCannedForm } from './presenter';

const answer = (id: string, team: string, fr: string, en: string, title = 'Accusé'): CannedAnswer => ({
  id,
  team,
  title: { fr: `${title} FR`, en: `${title} EN` },
  body: { fr, en },
  version: 1,
  createdAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:00:00.000Z',
});

const values = {
  customerName: 'Claire <b>Martin</b>',
  reference: 'SUPPORT-42',
  type: 'Poser une question',
  agentName: 'Paul Agent',
};

describe('the canned answers page: who manages, and the form', () => {
  it('is for admins (every team) and the leads of a team (members of X-leads, for X)', () => {
    expect(managedTeams(person('a', 'admin'))).toBe('all');
    expect(managedTeams(person('l', 'agent', { teams: ['support-leads', 'billing'] }))).toEqual(['support']);
    expect(managedTeams(person('p', 'agent', { teams: ['support'] }))).toEqual([]);
    expect(managedTeams(person('c', 'customer', { teams: ['support-leads'] }))).toEqual([]);
  });

  it('turns the form into what the service takes', () => {
    const parsed = parseCannedForm(
      { team: 'support', titleFr: ' Merci ', titleEn: 'Thanks', bodyFr: 'Merci {{customerName}}', bodyEn: 'Thanks' },
      'fr',
      translator('fr'),
    );
    expect(parsed).toEqual({
      input: {
        team: 'support',
        title: { fr: 'Merci', en: 'Thanks' },
        body: { fr: 'Merci {{customerName}}', en: 'Thanks' },
      },
    });
  });

  it('names an unknown placeholder in the page’s language, with the ones there are, field by field', () => {
    const posted = {
      team: 'support',
      titleFr: 'T',
      titleEn: '',
      bodyFr: 'Bonjour {{client}} {{nom}}',
      bodyEn: 'Hi {{x}}',
    };
    expect(parseCannedForm(posted, 'fr', translator('fr')).errors).toEqual({
      titleEn: 'Ce champ est obligatoire.',
      bodyFr:
        'Champs inconnus : {{client}}, {{nom}}. Les champs possibles sont {{customerName}}, {{reference}}, {{type}}, {{agentName}}.',
      bodyEn:
        'Champ inconnu : {{x}}. Les champs possibles sont {{customerName}}, {{reference}}, {{type}}, {{agentName}}.',
    });
    expect(parseCannedForm(posted, 'en', translator('en')).errors?.bodyEn).toBe(
      'Unknown placeholder: {{x}}. The placeholders are {{customerName}}, {{reference}}, {{type}}, {{agentName}}.',
    );
  });

  it('shows each field with its value and error', () => {
    const fields = formFields(translator('en'), { titleFr: 'T' }, { bodyEn: 'wrong' });
    expect(fields.titles.map((f) => [f.name, f.label, f.value])).toEqual([
      ['titleFr', 'Title in French', 'T'],
      ['titleEn', 'Title in English', ''],
    ]);
    expect(fields.bodies[1]).toMatchObject({ id: 'canned-bodyEn', error: 'wrong', maxlength: 5000 });
  });

  it('lists the answers by team, titled in the page’s language', () => {
    const groups = answerGroups(
      [answer('b', 'support', 'Zut', 'Z', 'Zèbre'), answer('a', 'billing', 'A', 'A'), answer('c', 'support', 'x', 'y')],
      'en',
    );
    expect(groups.map((g) => [g.team, g.answers.map((a) => a.title)])).toEqual([
      ['billing', ['Accusé EN']],
      ['support', ['Accusé EN', 'Zèbre EN']],
    ]);
    expect(excerpt(`${'a'.repeat(120)}\nsecond`)).toBe(`${'a'.repeat(99)}…`);
  });
});

describe('canned answers on the request page', () => {
  const answers = [
    answer(
      '1'.repeat(24),
      'support',
      'Bonjour {{customerName}}, {{reference}} ({{type}}). {{agentName}}',
      'Hello {{customerName}}',
    ),
    answer('2'.repeat(24), 'billing', 'Facture', 'Invoice', 'Facture'),
  ];
  const offer = (chosen?: string, locale: 'fr' | 'en' = 'fr') =>
    cannedOffer({ answers, locale, pageLocale: 'fr', values, chosen, t: translator('fr') });

  it('speaks the requester’s language, French when the directory does not know them', () => {
    expect(requestLocale('en')).toBe('en');
    expect(requestLocale(undefined)).toBe('fr');
  });

  it('offers the answers by team, filled in the request’s language, titled in the page’s', () => {
    const en = offer(undefined, 'en');
    expect(en.groups.map((g) => g.team)).toEqual(['billing', 'support']);
    expect(en.groups[1]!.options).toEqual([
      { id: '1'.repeat(24), title: 'Accusé FR', text: 'Hello Claire <b>Martin</b>', selected: false },
    ]);
    expect(en.language).toBe('anglais');
    expect(en.text).toBeUndefined();
    expect(en.missing).toBe(false);
  });

  it('fills the reply with the answer the URL names, and says when it names none of the agent’s', () => {
    const chosen = offer('1'.repeat(24));
    expect(chosen.text).toBe('Bonjour Claire <b>Martin</b>, SUPPORT-42 (Poser une question). Paul Agent');
    expect(chosen.groups[1]!.options[0]!.selected).toBe(true);
    expect(offer('f'.repeat(24))).toMatchObject({ text: undefined, missing: true });
    expect(offer('')).toMatchObject({ missing: false });
  });

  it('prints the filled text as text: in the reply and in the option, never as markup', () => {
    const canned = offer('1'.repeat(24));
    const html = createPageRenderer().render('request', {
      locale: 'fr',
      reference: 'SUPPORT-42',
      ticket: { requester: { name: 'Claire' }, status: 'open', activity: [] },
      activity: [],
      canComment: true,
      canned,
      commentValue: canned.text,
    });
    expect(html).not.toContain('<b>Martin</b>');
    expect(html).toContain(
      '>Bonjour Claire &lt;b&gt;Martin&lt;/b&gt;, SUPPORT-42 (Poser une question). Paul Agent</textarea>',
    );
    expect(html).toContain('data-text="Bonjour Claire &lt;b&gt;Martin&lt;/b&gt;, SUPPORT-42');
    expect(html).toContain('<form method="get" action="/requests/SUPPORT-42#comment-body"');
    expect(html).toContain('<script src="/assets/canned.js" defer></script>');
  });
});
