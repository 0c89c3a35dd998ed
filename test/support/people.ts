import { randomUUID } from 'node:crypto';
import { makeEvent, type EventEnvelope, type UserFacts } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';

/** A signed-in person as the gateway would describe them to a service. */
export const person = (
  userId: string,
  role: VerifiedIdentity['role'],
  extra: Partial<VerifiedIdentity> = {},
): VerifiedIdentity => ({
  userId,
  role,
  name: userId,
  email: `${userId}@example.test`,
  orgAdmin: false,
  teams: [],
  locale: 'fr',
  ...extra,
});

/** An identity event about `who`, as the identity service publishes it. */
export function userEvent(
  type: 'user.registered' | 'user.updated' | 'user.deactivated',
  who: VerifiedIdentity,
  facts: Partial<UserFacts> = {},
): EventEnvelope {
  const user: UserFacts = {
    userId: who.userId,
    email: who.email,
    fullName: who.name,
    role: who.role,
    ...(who.organizationId ? { organizationId: who.organizationId } : {}),
    orgAdmin: who.orgAdmin,
    teams: who.teams,
    locale: who.locale,
    status: type === 'user.deactivated' ? 'deactivated' : 'active',
    ...facts,
  };
  return makeEvent({
    id: randomUUID(),
    source: 'woop/identity/test',
    type,
    subject: who.userId,
    data: { user, changes: [], by: 'test' },
  });
}

export const erasedEvent = (userId: string): EventEnvelope =>
  makeEvent({
    id: randomUUID(),
    source: 'woop/identity/test',
    type: 'user.erased',
    subject: userId,
    data: { userId, by: 'test' },
  });
