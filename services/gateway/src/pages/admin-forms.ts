import type { TFunction } from 'i18next';
import { z } from 'zod';
import { createOrganizationBody, inviteBody, type RequestTypeDefinition } from '@woop/contracts';

/**
 * The administration forms as the services take them: what a browser posts (strings, lists one
 * per line, checkboxes) turned into the API's bodies, and the schemas' errors turned into
 * sentences next to the control that holds the value. Pure functions, unit-tested.
 */

type Body = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A form value that may be posted once, many times (checkboxes) or not at all. */
export const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');

/** Words typed one per line, or separated by commas, semicolons or spaces; each once, in order. */
export function wordsOf(text: unknown): string[] {
  const words = str(text)
    .split(/[\s,;]+/)
    .map((w) => w.trim())
    .filter(Boolean);
  return [...new Set(words)];
}

/** Email domains as typed ("@Enseigne.fr", one per line) as identity takes them ("enseigne.fr"). */
export const parseDomains = (text: unknown): string[] => [
  ...new Set(wordsOf(text).map((d) => d.replace(/^@+/, '').toLowerCase())),
];

/** Teams ticked in the list plus those typed in "Other teams", in lower case, each once. */
export const parseTeams = (ticked: unknown, other: unknown): string[] => [
  ...new Set([...listOf(ticked), ...wordsOf(other)].map((t) => t.toLowerCase())),
];

/**
 * Errors on the items of a list (`emailDomains.1`) folded into the list's control, naming the
 * item: the browser shows one control for the list, so that is where the sentence goes.
 */
export function foldItemErrors(
  errors: Record<string, string>,
  field: string,
  items: string[],
  sentence: (item: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const item = new RegExp(`^${field}\\.(\\d+)$`).exec(path);
    if (item) out[field] ??= sentence(items[Number(item[1])] ?? '');
    else out[path] ??= message;
  }
  return out;
}

// ---- organisations ------------------------------------------------------------------------

/** Creating: the shared schema. Editing: its name and domains only (the kind does not change). */
export const organizationCreateForm = createOrganizationBody;
export const organizationEditForm = createOrganizationBody.pick({ name: true, emailDomains: true });

export function organizationInput(body: Body) {
  return {
    name: str(body.name).trim(),
    ...(body.kind !== undefined ? { kind: str(body.kind) || undefined } : {}),
    emailDomains: parseDomains(body.emailDomains),
  };
}

// ---- users --------------------------------------------------------------------------------

export const USER_ROLES = ['customer', 'agent', 'admin'] as const;
export const USER_STATUSES = ['active', 'invited', 'deactivated'] as const;
/** Teams offered even before anyone belongs to them: those the catalogue and the rules name. */
export const KNOWN_TEAMS = ['support', 'security', 'dpo'];

/** The invitation's body: a customer's organisation and orgAdmin, a member of staff's teams. */
export function inviteInput(body: Body): Record<string, unknown> {
  const role = str(body.role);
  const fullName = str(body.fullName).trim();
  const locale = str(body.locale);
  return {
    email: str(body.email).trim(),
    role: role || undefined,
    ...(fullName ? { fullName } : {}),
    ...(locale ? { locale } : {}),
    ...(role === 'customer'
      ? { organizationId: str(body.organizationId) || undefined, orgAdmin: body.orgAdmin === 'true' }
      : { teams: parseTeams(body.teams, body.otherTeams) }),
  };
}
export const inviteForm = inviteBody;

/** What the user page may change (identity's PATCH /v1/users/:id), from the shared pieces. */
export const userEditForm = z.object({
  role: inviteBody.shape.role,
  orgAdmin: z.boolean(),
  teams: z.array(inviteBody.shape.teams.unwrap().element),
  organizationId: z.string().min(1).max(64).optional(),
});

/**
 * The PATCH body of the user page: a customer's orgAdmin and, when another one is chosen, their
 * organisation (attaching someone who has none, or moving them); staff's teams. The other
 * role's settings are reset, so an agent made a customer keeps no team and the reverse.
 */
export function userChanges(current: { organizationId?: string }, body: Body): Record<string, unknown> {
  const role = str(body.role) || undefined;
  if (role === 'customer') {
    const organizationId = str(body.organizationId);
    return {
      role,
      orgAdmin: body.orgAdmin === 'true',
      teams: [],
      ...(organizationId && organizationId !== current.organizationId ? { organizationId } : {}),
    };
  }
  return { role, orgAdmin: false, teams: parseTeams(body.teams, body.otherTeams) };
}

// ---- request-type catalogue ---------------------------------------------------------------

/** The controls of the type form, by the path of the definition they hold. */
const TYPE_CONTROLS: Record<string, string> = {
  'label.fr': 'labelFr',
  'label.en': 'labelEn',
  'description.fr': 'descriptionFr',
  'description.en': 'descriptionEn',
};

/** Messages of the shared schema's own checks, in the page's words. */
const TYPE_MESSAGES: Record<string, string> = {
  'duplicate key': 'admin.catalogue.duplicate-key',
  'a select needs options': 'admin.catalogue.select-needs-options',
};

export type TypeDefinitionInput = Omit<RequestTypeDefinition, 'key' | 'version'>;

/** A definition as the form shows it: one control per text, the fields as indented JSON. */
export function typeFormValues(type: TypeDefinitionInput) {
  return {
    category: type.category,
    labelFr: type.label.fr,
    labelEn: type.label.en,
    descriptionFr: type.description.fr,
    descriptionEn: type.description.en,
    icon: type.icon,
    portals: type.portals,
    defaultTeam: type.defaultTeam,
    slaPolicy: type.slaPolicy,
    confidential: type.confidential,
    fields: JSON.stringify(type.fields ?? [], null, 2),
  };
}

/** The posted form as the form shows it again after a refusal (checkboxes as lists and booleans). */
export function typeFormRepost(body: Body) {
  return {
    category: str(body.category),
    labelFr: str(body.labelFr),
    labelEn: str(body.labelEn),
    descriptionFr: str(body.descriptionFr),
    descriptionEn: str(body.descriptionEn),
    icon: str(body.icon),
    portals: listOf(body.portals),
    defaultTeam: str(body.defaultTeam),
    slaPolicy: str(body.slaPolicy),
    confidential: body.confidential === 'true',
    fields: str(body.fields),
  };
}

/**
 * The whole definition `PUT /v1/catalogue/:key` takes, from the form. The fields come as JSON;
 * when it does not parse, `fieldsSyntax` says where (line and column when the parser tells) and
 * the definition carries no fields, so the rest of the form is still checked.
 */
export function definitionFromForm(body: Body): {
  definition: Record<string, unknown>;
  fieldsSyntax?: { line?: number; column?: number };
} {
  let fields: unknown = [];
  let fieldsSyntax: { line?: number; column?: number } | undefined;
  const json = str(body.fields).trim();
  if (json !== '') {
    try {
      fields = JSON.parse(json);
    } catch (err) {
      const at = /line (\d+) column (\d+)/.exec((err as Error).message);
      fieldsSyntax = at ? { line: Number(at[1]), column: Number(at[2]) } : {};
      fields = [];
    }
  }
  return {
    definition: {
      category: str(body.category) || undefined,
      label: { fr: str(body.labelFr), en: str(body.labelEn) },
      description: { fr: str(body.descriptionFr), en: str(body.descriptionEn) },
      icon: str(body.icon).trim(),
      portals: listOf(body.portals),
      fields,
      defaultTeam: str(body.defaultTeam).trim(),
      slaPolicy: str(body.slaPolicy) || undefined,
      confidential: body.confidential === 'true',
    },
    ...(fieldsSyntax ? { fieldsSyntax } : {}),
  };
}

/**
 * The schema's errors on a definition, keyed by the control that shows them: the texts' own
 * controls, `portals` for the checkboxes, and `fields` (the JSON textarea) for everything inside
 * the fields, each naming the field by its number and the property at fault.
 */
export function typeFormErrors(errors: Record<string, string>, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {};
  const inFields: string[] = [];
  for (const [path, raw] of Object.entries(errors)) {
    const message = TYPE_MESSAGES[raw] ? t(TYPE_MESSAGES[raw]) : raw;
    const field = /^fields(?:\.(\d+)(?:\.(.+))?)?$/.exec(path);
    if (field) {
      if (field[1] === undefined) inFields.push(message);
      else
        inFields.push(
          t(field[2] ? 'admin.catalogue.field-error' : 'admin.catalogue.field-error-whole', {
            n: Number(field[1]) + 1,
            path: field[2] ?? '',
            message,
          }),
        );
      continue;
    }
    const control = TYPE_CONTROLS[path] ?? path.split('.')[0]!;
    // The portals are checkboxes: "too small: >= 1 items" means none is ticked.
    out[control] ??= control === 'portals' ? t('admin.type.portals-required') : message;
  }
  if (inFields.length > 0) {
    const shown = inFields.slice(0, 5);
    if (inFields.length > shown.length) shown.push(t('admin.catalogue.more-errors', { count: inFields.length - 5 }));
    out.fields = shown.join(' ');
  }
  return out;
}
