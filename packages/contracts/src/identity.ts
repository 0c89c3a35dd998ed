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

export interface IdentityEventData {
  /** A private sign-up link for an address that has no account (the "Almost done!" email). */
  'user.signup_requested': { email: string; link: string; expiresAt: string; locale: Locale };
  /** Sign-up asked for an address that already has an account: tell its owner, not the asker. */
  'user.signup_existing_account': { email: string; loginLink: string; resetLink: string; locale: Locale };
  /** Sign-up asked for an address no customer organisation accepts. */
  'user.signup_not_allowed': { email: string; locale: Locale };
  'user.password_reset_requested': { email: string; link: string; expiresAt: string; locale: Locale };
  'user.invited': { user: UserFacts; link: string; expiresAt: string; invitedBy: string };
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
