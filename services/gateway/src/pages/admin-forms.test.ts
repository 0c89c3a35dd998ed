import { REQUEST_TYPES, requestTypeBody } from '@woop/contracts';
import {
  definitionFromForm,
  foldItemErrors,
  inviteForm,
  inviteInput,
  organizationCreateForm,
  organizationEditForm,
  organizationInput,
  parseDomains,
  parseTeams,
  typeFormErrors,
  typeFormValues,
  userChanges,
  userEditForm,
} from './admin-forms';
import { formErrors, translator } from './i18n';

const t = translator('fr');

describe('lists typed in a form', () => {
  it('reads email domains one per line or separated, without @, in lower case, each once', () => {
    expect(parseDomains('Enseigne.fr\r\n@shop.enseigne.fr, enseigne.fr;  \n')).toEqual([
      'enseigne.fr',
      'shop.enseigne.fr',
    ]);
    expect(parseDomains(undefined)).toEqual([]);
  });

  it('reads teams from the ticked boxes and the free text', () => {
    expect(parseTeams(['support', 'security'], 'Billing, support')).toEqual(['support', 'security', 'billing']);
    expect(parseTeams('dpo', '')).toEqual(['dpo']);
    expect(parseTeams(undefined, undefined)).toEqual([]);
  });

  it("puts an item's error on the list's control, naming the item", () => {
    const errors = { 'emailDomains.1': 'bad', name: 'required' };
    expect(foldItemErrors(errors, 'emailDomains', ['a.fr', 'nope'], (d) => `« ${d} »`)).toEqual({
      emailDomains: '« nope »',
      name: 'required',
    });
  });
});

describe('organisation forms', () => {
  it('takes a new organisation as identity does', () => {
    const input = organizationInput({
      name: ' Enseigne ',
      kind: 'retailer',
      emailDomains: 'enseigne.fr\nEnseigne.com',
    });
    expect(formErrors(organizationCreateForm, input, 'fr')).toEqual({
      data: { name: 'Enseigne', kind: 'retailer', emailDomains: ['enseigne.fr', 'enseigne.com'] },
    });
  });

  it('refuses a missing name and kind and a wrong domain, in French', () => {
    const input = organizationInput({ name: '', kind: '', emailDomains: 'enseigne' });
    const { errors } = formErrors(organizationCreateForm, input, 'fr');
    expect(errors).toMatchObject({ name: 'Ce champ est obligatoire.', kind: 'Ce champ est obligatoire.' });
    expect(errors).toHaveProperty(['emailDomains.0']);
  });

  it('edits the name and domains only', () => {
    const input = organizationInput({ name: 'Nouveau nom', emailDomains: '' });
    expect(formErrors(organizationEditForm, input, 'en')).toEqual({ data: { name: 'Nouveau nom', emailDomains: [] } });
  });
});

describe('user forms', () => {
  it('invites a customer into an organisation, with no teams', () => {
    const input = inviteInput({
      email: ' new@enseigne.fr ',
      role: 'customer',
      organizationId: 'org-1',
      orgAdmin: 'true',
      teams: 'support',
      locale: 'en',
      fullName: '',
    });
    expect(input).toEqual({
      email: 'new@enseigne.fr',
      role: 'customer',
      organizationId: 'org-1',
      orgAdmin: true,
      locale: 'en',
    });
    expect(formErrors(inviteForm, input, 'fr').data).toEqual(input);
  });

  it('invites an agent into teams, with no organisation', () => {
    const input = inviteInput({
      email: 'a@woop.example',
      role: 'agent',
      organizationId: 'org-1',
      teams: ['support'],
      otherTeams: 'dpo',
    });
    expect(input).toEqual({ email: 'a@woop.example', role: 'agent', teams: ['support', 'dpo'] });
  });

  it('refuses a team name that is not one, at its index', () => {
    const input = inviteInput({ email: 'a@woop.example', role: 'agent', otherTeams: 'Équipe_1' });
    expect(formErrors(inviteForm, input, 'fr').errors).toHaveProperty(['teams.0']);
  });

  it("sends a customer's organisation only when another one is chosen", () => {
    expect(userChanges({ organizationId: 'org-1' }, { role: 'customer', organizationId: 'org-1' })).toEqual({
      role: 'customer',
      orgAdmin: false,
      teams: [],
    });
    expect(userChanges({}, { role: 'customer', organizationId: 'org-2', orgAdmin: 'true' })).toEqual({
      role: 'customer',
      orgAdmin: true,
      teams: [],
      organizationId: 'org-2',
    });
  });

  it('gives staff their teams and never an organisation admin flag', () => {
    const changes = userChanges(
      { organizationId: 'org-1' },
      { role: 'admin', organizationId: 'org-2', orgAdmin: 'true', teams: 'security' },
    );
    expect(changes).toEqual({ role: 'admin', orgAdmin: false, teams: ['security'] });
    expect(formErrors(userEditForm, changes, 'fr').data).toEqual(changes);
    expect(formErrors(userEditForm, { ...changes, role: 'boss' }, 'fr').errors).toHaveProperty('role');
  });
});

describe('the request-type form', () => {
  const form = (over: Record<string, unknown> = {}) => {
    const values = typeFormValues(REQUEST_TYPES.find((r) => r.key === 'technical-assistance')!);
    return { ...values, confidential: values.confidential ? 'true' : undefined, ...over };
  };

  it.each(REQUEST_TYPES.map((r) => [r.key, r] as const))('gives back the definition of %s unchanged', (_key, type) => {
    const values = typeFormValues(type);
    const { definition, fieldsSyntax } = definitionFromForm({
      ...values,
      confidential: values.confidential ? 'true' : undefined,
    });
    expect(fieldsSyntax).toBeUndefined();
    const { key: _k, version: _v, ...expected } = type;
    expect(requestTypeBody.parse(definition)).toEqual(expected);
  });

  it('says where the fields JSON breaks and still checks the rest', () => {
    const { definition, fieldsSyntax } = definitionFromForm(form({ fields: '[\n  {"key": "a",\n  }\n]', labelFr: '' }));
    expect(fieldsSyntax).toEqual({ line: expect.any(Number), column: expect.any(Number) });
    expect(definition.fields).toEqual([]);
    const checked = formErrors(requestTypeBody, definition, 'fr');
    expect(typeFormErrors(checked.errors!, t)).toEqual({ labelFr: 'Ce champ est obligatoire.' });
  });

  it('names the field and the property at fault inside the JSON, in the page language', () => {
    const fields = JSON.stringify([{ key: 'a', label: { fr: 'B' }, type: 'text', required: false }]);
    const checked = formErrors(requestTypeBody, definitionFromForm(form({ fields, portals: [] })).definition, 'fr');
    const errors = typeFormErrors(checked.errors!, t);
    expect(errors.portals).toBe('Choisissez au moins un portail.');
    expect(errors.fields).toBe('Champ n° 1, label.en : Ce champ est obligatoire.');
  });

  it("says the shared schema's own checks in the page language", () => {
    const label = { fr: 'A', en: 'A' };
    const fields = JSON.stringify([
      { key: 'a', label, type: 'select', required: true },
      { key: 'a', label, type: 'text', required: false },
    ]);
    const checked = formErrors(requestTypeBody, definitionFromForm(form({ fields })).definition, 'fr');
    const errors = typeFormErrors(checked.errors!, t);
    expect(Object.keys(errors)).toEqual(['fields']);
    expect(errors.fields).toContain("Champ n° 2, key : cette clé est déjà celle d'un autre champ");
    expect(errors.fields).toContain("Champ n° 1, options : une liste de choix (select) a besoin d'options");
  });

  it('shows five problems of the fields at most, and how many more there are', () => {
    const fields = JSON.stringify(Array.from({ length: 7 }, () => ({})));
    const checked = formErrors(requestTypeBody, definitionFromForm(form({ fields })).definition, 'en');
    expect(typeFormErrors(checked.errors!, translator('en')).fields).toMatch(
      /^Field 1, key: .* \(and \d+ more errors\)$/,
    );
  });

  it('reads the checkboxes: one portal, both, none; confidential or not', () => {
    expect(definitionFromForm(form({ portals: 'carrier' })).definition).toMatchObject({
      portals: ['carrier'],
      confidential: false,
    });
    expect(
      definitionFromForm(form({ portals: ['retailer', 'carrier'], confidential: 'true' })).definition,
    ).toMatchObject({ portals: ['retailer', 'carrier'], confidential: true });
    expect(definitionFromForm(form({ portals: undefined })).definition.portals).toEqual([]);
  });

  it('takes an empty fields box as no fields', () => {
    expect(definitionFromForm(form({ fields: '  ' })).definition.fields).toEqual([]);
  });
});
