/**
 * Events of the identity service (topics woop.identity.users.v1 and .organizations.v1). The
 * notifications service turns the *_requested ones into emails; other services keep their
 * copies of names in step and anonymise on `user.erased`.
 */
export type Locale = 'fr' | 'en';
export type UserRole = 'customer' | 'agent' | 'admin';
export type OrganizationKind = 'retailer' | 'carrier';

export interface UserFacts {
  userId: string;
  email: string;
  fullName: string;
  role: UserRole;
  organizationId?: string;
  orgAdmin: boolean;
  teams: string[];
  locale: Locale;
  status: 'invited' | 'active' | 'deactivated' | 'erased';
}

/**
 * The private link of a sign-up, reset or invitation email, sealed for the notifications service
 * (AES-256-GCM, `seal` of the service kit, key `LINK_SEALING_KEY` shared by identity and
 * notifications only) with the context `linkSealContext(type, address)`: the outbox, the users
 * topic and the dead-letter topic never hold a usable token.
 */
export type SealedLink = string;

/** What a sealed link is bound to: the event type and the address the email goes to. */
export const linkSealContext = (type: LinkEventType, address: string): string => `${type}\n${address.toLowerCase()}`;

export interface IdentityEventData {
  /** A private sign-up link for an address that has no account (the "Almost done!" email). */
  'user.signup_requested': { email: string; sealedLink: SealedLink; expiresAt: string; locale: Locale };
  /** Sign-up asked for an address that already has an account: tell its owner, not the asker. */
  'user.signup_existing_account': { email: string; loginLink: string; resetLink: string; locale: Locale };
  /** Sign-up asked for an address no customer organisation accepts. */
  'user.signup_not_allowed': { email: string; locale: Locale };
  'user.password_reset_requested': { email: string; sealedLink: SealedLink; expiresAt: string; locale: Locale };
  'user.invited': { user: UserFacts; sealedLink: SealedLink; expiresAt: string; invitedBy: string };
  'user.registered': { user: UserFacts };
  'user.updated': { user: UserFacts; changes: string[]; by: string };
  'user.password_changed': { user: UserFacts };
  'user.deactivated': { user: UserFacts; by: string };
  'user.reactivated': { user: UserFacts; by: string };
  /** Personal data must be anonymised everywhere; only the id remains. */
  'user.erased': { userId: string; by: string };
  'organization.created': { organizationId: string; name: string; kind: OrganizationKind; emailDomains: string[] };
  'organization.updated': { organizationId: string; name: string; kind: OrganizationKind; emailDomains: string[] };
}

export type IdentityEventType = keyof IdentityEventData;

/** The events that carry a private link. */
export type LinkEventType = 'user.signup_requested' | 'user.password_reset_requested' | 'user.invited';

/**
 * The version of each identity event's data (the envelope's `dataversion`; absent means 1).
 * Version 2 of the link events carries `sealedLink` where version 1 carried the raw `link`
 * (which gave an account to anyone who could read Kafka). The other types are at version 1.
 */
export const IDENTITY_EVENT_VERSIONS: Partial<Record<IdentityEventType, number>> = {
  'user.signup_requested': 2,
  'user.password_reset_requested': 2,
  'user.invited': 2,
};

/**
 * Version 1 of the link events, as identity wrote them before 2 (raw link). Consumers still read
 * them while such events remain on the topic during a rollout; nothing writes them any more.
 */
export interface IdentityLinkEventDataV1 {
  'user.signup_requested': { email: string; link: string; expiresAt: string; locale: Locale };
  'user.password_reset_requested': { email: string; link: string; expiresAt: string; locale: Locale };
  'user.invited': { user: UserFacts; link: string; expiresAt: string; invitedBy: string };
}
