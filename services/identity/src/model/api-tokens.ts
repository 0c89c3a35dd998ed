import type { ApiTokenScope } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import type { IdentityConfig } from '../config';
import type { ApiTokenDoc, IdentityModels } from './database';
import { DAY, scopesOf } from './facts';
import { forbidden, notFound } from './problems';
import { hashToken, newId, newToken } from './secrets';

/**
 * Bearer tokens for scripts (collection `api_tokens`): made by agents, admins and organisation
 * admins, shown once, each with its scopes; they expire API_TOKEN_TTL_DAYS after they are made
 * and end with their owner's password, role or account.
 */
export class ApiTokens {
  constructor(
    private readonly m: IdentityModels,
    private readonly config: IdentityConfig,
  ) {}

  /** When a token stops working; one made before tokens expired counts from its creation. */
  expiresAt(token: { createdAt: Date; expiresAt?: Date | null }): Date {
    return token.expiresAt ?? new Date(token.createdAt.getTime() + this.config.API_TOKEN_TTL_DAYS * DAY);
  }

  /**
   * A bearer token for the caller's scripts, shown once: agents, admins, and organisation admins
   * (a retailer's own system filing requests; it acts as them and stops if they lose the role).
   */
  async create(
    actor: VerifiedIdentity,
    input: { name: string; scopes: readonly ApiTokenScope[] },
  ): Promise<{ tokenId: string; token: string; expiresAt: Date; scopes: ApiTokenScope[] }> {
    if (actor.role === 'customer' && !(actor.orgAdmin && actor.organizationId)) {
      throw forbidden('API tokens are for agents, admins and organisation admins.');
    }
    const token = newToken('api');
    const tokenId = newId();
    const expiresAt = new Date(Date.now() + this.config.API_TOKEN_TTL_DAYS * DAY);
    const scopes = scopesOf(input);
    await this.m.ApiToken.create({
      _id: hashToken(token),
      tokenId,
      userId: actor.userId,
      name: input.name,
      expiresAt,
      scopes,
    });
    return { tokenId, token, expiresAt, scopes };
  }

  /** The caller's own tokens, newest first, revoked and expired ones included. */
  async list(actor: VerifiedIdentity): Promise<Array<ApiTokenDoc & { _id: string; createdAt: Date }>> {
    return this.m.ApiToken.find({ userId: actor.userId }).sort({ createdAt: -1 }).limit(500).lean();
  }

  /** Ends one token: the caller's own, or anyone's for an admin; 404 if there is none to end. */
  async revoke(actor: VerifiedIdentity, tokenId: string): Promise<void> {
    const filter = actor.role === 'admin' ? { tokenId } : { tokenId, userId: actor.userId };
    const res = await this.m.ApiToken.updateOne(
      { ...filter, revokedAt: { $exists: false } },
      { $set: { revokedAt: new Date() } },
    );
    if (res.matchedCount === 0) throw notFound();
  }

  /** Ends every token of `userId` (password change or reset, deactivation, change of role). */
  async revokeAll(userId: string): Promise<void> {
    await this.m.ApiToken.updateMany({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date() } });
  }
}
