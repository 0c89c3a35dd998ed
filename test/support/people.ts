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

/**
 * The tests' cast. Organisation "enseigne": claire, hugo, lucas; "transports": ines; no
 * organisation (open sign-up): noa, eli. A support agent, a security agent, an admin.
 */
export const claire = person('claire', 'customer', { organizationId: 'org-enseigne', name: 'Claire Durand' });
export const hugo = person('hugo', 'customer', { organizationId: 'org-enseigne', name: 'Hugo Martin' });
export const lucas = person('lucas', 'customer', { organizationId: 'org-enseigne', name: 'Lucas Bernard' });
export const ines = person('ines', 'customer', { organizationId: 'org-transports', name: 'Inès Moreau' });
export const noa = person('noa', 'customer', { name: 'Noa Sans-Enseigne' });
export const eli = person('eli', 'customer', { name: 'Éli Indépendant' });
export const paul = person('paul', 'agent', { teams: ['support'], name: 'Paul Agent' });
export const sarah = person('sarah', 'agent', { teams: ['security'], name: 'Sarah Sécu' });
export const admin = person('admin', 'admin', { name: 'Ada Admin' });

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
