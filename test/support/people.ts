import type { VerifiedIdentity } from '@woop/service-kit';

/** A signed-in person as the gateway passes them on: only what a test cares about differs. */
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
