import {
  API_TOKEN_SCOPES,
  IDENTITY_EVENT_VERSIONS,
  makeEvent,
  TOPICS,
  type ApiTokenScope,
  type IdentityEventData,
  type IdentityEventType,
  type UserFacts,
} from '@woop/contracts';
import { outboxEntry, type OutboxEntry, type VerifiedIdentity } from '@woop/service-kit';
import type { UserDoc } from './database';
import { newId } from './secrets';

/**
 * What the identity model says of a user to others (their facts in events, their identity behind
 * a session) and the small rules every part of it shares: the form of an address, a token's scopes.
 */

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** An identity event, ready to ride in the outbox of the document it describes. */
export function identityEvent<T extends IdentityEventType>(
  type: T,
  subject: string,
  data: IdentityEventData[T],
): OutboxEntry {
  const topic = type.startsWith('organization.') ? TOPICS.organizations.name : TOPICS.users.name;
  const dataversion = IDENTITY_EVENT_VERSIONS[type];
  // With the request's trace, so the relay publishes the event in it (see service-kit/outbox).
  return outboxEntry(
    topic,
    makeEvent({
      id: newId(),
      source: 'woop/identity',
      type,
      subject,
      data: { ...data },
      ...(dataversion !== undefined ? { dataversion } : {}),
    }),
  );
}

export function userFacts(user: UserDoc): UserFacts {
  return {
    userId: user._id,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    ...(user.organizationId ? { organizationId: user.organizationId } : {}),
    orgAdmin: user.orgAdmin,
    teams: user.teams,
    locale: user.locale,
    status: user.status,
  };
}

export function identityOf(user: UserDoc): VerifiedIdentity {
  return {
    userId: user._id,
    role: user.role,
    name: user.fullName,
    email: user.email,
    ...(user.organizationId ? { organizationId: user.organizationId } : {}),
    orgAdmin: user.orgAdmin,
    teams: user.teams,
    locale: user.locale,
  };
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * What a token may do, in a fixed order. A token made before scopes has none stored and keeps
 * doing what it did: both.
 */
export function scopesOf(token: { scopes?: readonly string[] | null }): ApiTokenScope[] {
  const stored = token.scopes ?? [];
  const scopes = API_TOKEN_SCOPES.filter((s) => stored.includes(s));
  return scopes.length > 0 ? scopes : [...API_TOKEN_SCOPES];
}
