import type { ApiTokenDoc, OrganizationDoc, UserDoc } from '../model/database';
import { scopesOf, userFacts } from '../model/facts';

/** What the API shows of the identity model's documents: never a hash, a secret or an outbox. */

/** Identity as seen by someone else: no hashes, no outbox. */
export function publicUser(user: UserDoc) {
  return { ...userFacts(user), createdAt: user.createdAt };
}

export function publicOrganization(org: OrganizationDoc) {
  return { organizationId: org._id, name: org.name, kind: org.kind, emailDomains: org.emailDomains };
}

/** An API token as its owner sees it: never the secret nor its hash. */
export function publicApiToken(
  token: ApiTokenDoc & { _id: string; createdAt: Date },
  expiresAt: Date,
  now = new Date(),
) {
  return {
    tokenId: token.tokenId,
    name: token.name,
    createdAt: token.createdAt,
    ...(token.lastUsedAt ? { lastUsedAt: token.lastUsedAt } : {}),
    revoked: token.revokedAt != null,
    ...(token.revokedAt ? { revokedAt: token.revokedAt } : {}),
    expiresAt,
    expired: expiresAt.getTime() <= now.getTime(),
    scopes: scopesOf(token),
  };
}
