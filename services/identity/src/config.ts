import { baseConfigSchema, DEVELOPMENT_SEALING_KEY, loadConfig, sealingKeySchema } from '@woop/service-kit';
import { z } from 'zod';

const minutes = (d: number) => z.coerce.number().positive().default(d);

export const identityConfigSchema = baseConfigSchema.extend({
  /** The identity service's HTTP port. */
  IDENTITY_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** The identity database. */
  MONGODB_DB: z.string().default('identity'),
  /** Public address of the portal, the base of the links in emails. */
  PORTAL_URL: z.url().default('http://127.0.0.1:3000'),
  /**
   * Who may sign up. `open`: anyone; an address at an organisation's email domain joins it, any
   * other becomes a customer without organisation until an admin or agent attaches them.
   * `organization_domains`: only addresses at an organisation's domain (others get a "not a
   * customer address" email).
   */
  SIGNUP_POLICY: z.enum(['open', 'organization_domains']).default('open'),
  /** How long a sign-up link works. */
  SIGNUP_LINK_TTL_MINUTES: minutes(30),
  /** How long a password-reset link works. */
  RESET_LINK_TTL_MINUTES: minutes(30),
  /** How long an invitation link works (3 days). */
  INVITE_LINK_TTL_MINUTES: minutes(72 * 60),
  /** A session ends after this long without a request… */
  SESSION_IDLE_MINUTES: minutes(30),
  /** …and this long after login whatever happens. */
  SESSION_ABSOLUTE_MINUTES: minutes(12 * 60),
  /**
   * API tokens stop working this long after they are made (a new one is made on the profile
   * page); they also end on a password reset, a deactivation and a change of role.
   */
  API_TOKEN_TTL_DAYS: z.coerce.number().positive().default(90),
  /**
   * Failed logins one address may have in 15 minutes, from anywhere, before its logins are
   * refused (429 `too_many_failed_logins`, even with the right password) until the window passes:
   * guessing spread over many IPs (or behind a proxy without TRUST_PROXY) is bounded too. Above
   * the 10 per address and IP, so that one source alone never locks the owner out.
   */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(20),
  /**
   * Seals the links of sign-up, reset and invitation emails for the notifications service (which
   * holds the same key): 32 bytes, base64 or 64 hex digits.
   * Production must set its own (PRODUCTION_SECRETS in the service kit).
   */
  LINK_SEALING_KEY: sealingKeySchema.prefault(DEVELOPMENT_SEALING_KEY),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const config = loadConfig(identityConfigSchema, env);
  return config;
}
