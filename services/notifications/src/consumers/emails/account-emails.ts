import {
  dataVersionOf,
  type EventEnvelope,
  type IdentityEventData,
  type IdentityLinkEventDataV1,
  type LinkEventType,
  type Locale,
  type UserFacts,
} from '@woop/contracts';
import type { TemplateName } from '../mail/templates';
import type { PlanContext, PlannedEmail } from './types';

const minutesUntil = (iso: unknown) => Math.max(1, Math.round((Date.parse(String(iso)) - Date.now()) / 60_000));

/**
 * The link a sign-up, reset or invitation event asks to email to `address`. Version 2 carries it
 * sealed for this service; version 1 (written before, raw) is still read while such events remain
 * on the topic during a rollout. Either way only a link to this portal is emailed: an event
 * forged onto the topic cannot send people to another site with the portal's words.
 */
function linkOf(event: EventEnvelope, type: LinkEventType, address: string, ctx: PlanContext): string {
  const version = dataVersionOf(event);
  const link =
    version === 2
      ? ctx.openLink(type, address, String((event.data as IdentityEventData[LinkEventType]).sealedLink))
      : String((event.data as IdentityLinkEventDataV1[LinkEventType]).link);
  if (new URL(link).origin !== new URL(ctx.portalUrl).origin) throw new Error('a link outside the portal');
  return link;
}

/** Versions of the identity events this service reads (absent from the map: 1 only). */
const IDENTITY_VERSIONS_READ: Partial<Record<string, number[]>> = {
  'user.signup_requested': [1, 2],
  'user.password_reset_requested': [1, 2],
  'user.invited': [1, 2],
};

/** Account emails go to the address in the event (the account may not exist yet). */
export function planIdentity(event: EventEnvelope, ctx: PlanContext): PlannedEmail[] {
  const d = event.data;
  const version = dataVersionOf(event);
  if (!(IDENTITY_VERSIONS_READ[event.type] ?? [1]).includes(version)) {
    throw new Error(`version ${version} of ${event.type} is not one this service reads`);
  }
  const to = (
    address: string,
    locale: Locale,
    template: TemplateName,
    data: Record<string, unknown>,
    recipientId?: string,
  ) => [{ key: address, address, locale, template, data, ...(recipientId ? { recipientId } : {}) }];
  switch (event.type) {
    case 'user.signup_requested': {
      const e = d as IdentityEventData['user.signup_requested'];
      const link = linkOf(event, event.type, e.email, ctx);
      return to(e.email, e.locale, 'signup-link', { link, expiresInMinutes: minutesUntil(e.expiresAt) });
    }
    case 'user.signup_existing_account': {
      const e = d as IdentityEventData['user.signup_existing_account'];
      return to(e.email, e.locale, 'signup-existing-account', { loginLink: e.loginLink, resetLink: e.resetLink });
    }
    case 'user.signup_not_allowed': {
      const e = d as IdentityEventData['user.signup_not_allowed'];
      return to(e.email, e.locale, 'signup-not-allowed', {});
    }
    case 'user.password_reset_requested': {
      const e = d as IdentityEventData['user.password_reset_requested'];
      const link = linkOf(event, event.type, e.email, ctx);
      return to(e.email, e.locale, 'password-reset', { link, expiresInMinutes: minutesUntil(e.expiresAt) });
    }
    case 'user.invited': {
      const e = d as IdentityEventData['user.invited'];
      const days = Math.max(1, Math.round(minutesUntil(e.expiresAt) / 1440));
      const link = linkOf(event, event.type, e.user.email, ctx);
      return to(e.user.email, e.user.locale, 'invitation', { link, expiresInDays: days }, e.user.userId);
    }
    case 'user.password_changed':
    case 'user.deactivated':
    case 'user.reactivated':
    case 'user.updated': {
      const user = (d as { user: UserFacts }).user;
      if (user.status === 'invited' || user.status === 'erased') return [];
      if (event.type === 'user.updated' && !changedRights(d as IdentityEventData['user.updated'])) return [];
      const change = event.type.slice('user.'.length);
      return to(user.email, user.locale, 'account-changed', { name: user.fullName, change }, user.userId);
    }
    default:
      return [];
  }
}

/**
 * Whether a `user.updated` is one the person must hear of: their rights (role, teams,
 * organisation, its administration) changed by somebody else. A name or a language, or anything
 * they changed themself (the footer's language switch, the profile form), is no security notice.
 */
function changedRights(e: IdentityEventData['user.updated']): boolean {
  const rights = new Set(['role', 'teams', 'organizationId', 'orgAdmin']);
  return e.by !== e.user.userId && e.changes.some((c) => rights.has(c));
}
