import { z } from 'zod';
import { nonBlank } from '../tickets/actions';

/**
 * Request and response schemas of the identity API. The identity service validates with the
 * request schemas and the gateway builds its OpenAPI document from all of them.
 */

/**
 * An address as RFC 5321 bounds it (local part 64 characters, domain labels 63, none ending in a
 * hyphen), which the document's `format: email` also says: an address no mail server takes is
 * refused here rather than accepted and never delivered.
 */
const email = z
  .email()
  .max(254)
  .refine((address) => {
    const at = address.lastIndexOf('@');
    const labels = address.slice(at + 1).split('.');
    return at <= 64 && labels.every((label) => label.length <= 63 && !label.endsWith('-'));
  }, 'not a deliverable address');
const localeSchema = z.enum(['fr', 'en']);
const locale = localeSchema.default('fr').describe('Language of the emails: French by default');
const role = z.enum(['customer', 'agent', 'admin']);
const team = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'a team is a lowercase name');
/** Not blank: the document says it (`pattern`), the check trims and counts what is left. */
const fullName = nonBlank(200);
/** "At least one of these": a refinement zod checks but cannot describe, spelt out for the document. */
const oneOf = (...keys: string[]) => ({ anyOf: keys.map((k) => ({ required: [k] })) });
/** The password policy (12 to 256 characters, not a common one) is checked by the service, with its own message. */
const password = z.string().min(1).max(1_024);
const token = z.string().min(1).max(200);

export const signupBody = z.object({ email, locale });
export const completeSignupBody = z.object({
  token: token.describe('The token of the link in the sign-up or invitation email'),
  fullName,
  password: password.describe('12 to 256 characters, not a common password, not containing your name or address'),
});
export const loginBody = z.object({ email, password });
export const logoutBody = z.object({ sessionToken: token });
export const resolveBody = z.object({ token });
export const passwordResetBody = z.object({ email, locale });
export const completePasswordResetBody = z.object({ token, password });
/** Whether an emailed link can still be used (the page it opens asks before showing its form). */
export const checkLinkBody = z.object({ token, purpose: z.enum(['signup', 'invite', 'reset']) });

const organizationName = nonBlank(200);
const emailDomains = z
  .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain such as enseigne.fr'))
  .describe('Addresses at these domains may sign up as customers of the organisation');

export const createOrganizationBody = z.object({
  name: organizationName,
  kind: z.enum(['retailer', 'carrier']),
  emailDomains: emailDomains.default([]),
});

export const updateOrganizationBody = z
  .object({
    name: organizationName.optional(),
    emailDomains: emailDomains.optional().describe('The whole list, replacing the current one'),
  })
  .refine((c) => Object.keys(c).length > 0, 'nothing to change')
  .meta(oneOf('name', 'emailDomains'));

export const inviteBody = z.object({
  email,
  role,
  organizationId: z.string().optional().describe('Customers: their organisation'),
  orgAdmin: z.boolean().optional(),
  teams: z.array(team).optional().describe('Agents: their teams (support, security, dpo, …)'),
  fullName: fullName.optional(),
  locale: localeSchema.optional(),
});

export const updateUserBody = z
  .object({
    role: role.optional(),
    orgAdmin: z.boolean().optional(),
    teams: z.array(team).optional(),
    fullName: fullName.optional(),
    locale: localeSchema.optional(),
    organizationId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("A customer's organisation (admins and agents): attaches a customer who has none, or moves them"),
  })
  .refine((c) => Object.keys(c).length > 0, 'nothing to change')
  .meta(oneOf('role', 'orgAdmin', 'teams', 'fullName', 'locale', 'organizationId'));

export const listUsersQuery = z.object({
  organizationId: z.string().optional(),
  withoutOrganization: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: only customers who belong to no organisation yet (agents and admins)'),
});
/**
 * What an API token may do: `read` is GET and HEAD, `write` every other method. Neither
 * implies the other (a till that only files requests need not read the organisation's).
 */
export const API_TOKEN_SCOPES = ['read', 'write'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
const apiTokenScopes = z
  .array(z.enum(API_TOKEN_SCOPES))
  .min(1)
  .max(API_TOKEN_SCOPES.length)
  .describe('`read`: GET and HEAD calls; `write`: every other call (it does not include `read`)');
export const createApiTokenBody = z.object({
  name: nonBlank(100),
  scopes: apiTokenScopes
    .default(['read', 'write'])
    .describe(
      '`read`: GET and HEAD calls; `write`: every other call (it does not include `read`). Both when absent, ' +
        'as before tokens had scopes',
    ),
});

export const changePasswordBody = z.object({
  currentPassword: password,
  newPassword: password.describe('12 to 256 characters, not a common password, not containing your name or address'),
});
/** What identity takes: the gateway adds the session to keep (the one making the change). */
export const changePasswordServiceBody = changePasswordBody.extend({
  keepSessionToken: token.optional().describe('This session stays open; every other one of the account ends'),
});

export const userIdParams = z.object({ userId: z.string().min(1).max(64) });
export const organizationIdParams = z.object({ organizationId: z.string().min(1).max(64) });
export const apiTokenIdParams = z.object({ tokenId: z.string().min(1).max(64) });

// ---- responses -----------------------------------------------------------------------------

/** Who the caller is, as the gateway passes it to the services. */
export const identitySchema = z.object({
  userId: z.string(),
  role,
  name: z.string(),
  email: z.string(),
  organizationId: z.string().optional(),
  orgAdmin: z.boolean(),
  teams: z.array(z.string()),
  locale: localeSchema,
});

export const userSchema = z.object({
  userId: z.string(),
  email: z.string(),
  fullName: z.string(),
  role,
  organizationId: z.string().optional(),
  orgAdmin: z.boolean(),
  teams: z.array(z.string()),
  locale: localeSchema,
  status: z.enum(['invited', 'active', 'deactivated', 'erased']),
  createdAt: z.iso.datetime(),
});

export const organizationSchema = z.object({
  organizationId: z.string(),
  name: z.string(),
  kind: z.enum(['retailer', 'carrier']),
  emailDomains: z.array(z.string()),
});

export const linkAccepted = z.object({ status: z.literal('accepted'), message: z.string() });
export const passwordChanged = z.object({ status: z.literal('password_changed') });
export const apiTokenSchema = z.object({
  tokenId: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().optional().describe('Absent if never used'),
  revoked: z.boolean(),
  revokedAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime().describe('It stops working then (API_TOKEN_TTL_DAYS after it was made)'),
  expired: z.boolean(),
  scopes: apiTokenScopes.describe('What it may do (a token made before scopes: both)'),
});
export const apiTokenCreated = z.object({
  tokenId: z.string(),
  expiresAt: z.iso
    .datetime()
    .describe('It stops working then; a password change or reset, a deactivation or a change of role ends it sooner'),
  scopes: apiTokenScopes,
  token: z.string().describe('Shown once: send it as `Authorization: Bearer <token>`'),
});
