import type { ApiTokenScope } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import type { IdentityConfig } from '../config';
import type { ApiTokens } from './api-tokens';
import type { IdentityModels, UserDoc } from './database';
import { identityOf, MINUTE, normalizeEmail, scopesOf } from './facts';
import { verifyPassword } from './passwords';
import { problem } from './problems';
import { hashToken, newToken, tokenKind } from './secrets';

/** What a caller authenticated with: a session (a person at the portal) or an API token and its scopes. */
export type Credential = { kind: 'session' } | { kind: 'api'; scopes: ApiTokenScope[] };

export interface SessionGrant {
  sessionToken: string;
  expiresAt: string;
  identity: VerifiedIdentity;
}

/**
 * Login, sessions (collection `sessions`: idle after SESSION_IDLE_MINUTES, over after
 * SESSION_ABSOLUTE_MINUTES) and what the gateway asks of every request: who is behind a session
 * or an API token.
 */
export class Sessions {
  constructor(
    private readonly m: IdentityModels,
    private readonly config: IdentityConfig,
    private readonly apiTokens: ApiTokens,
  ) {}

  async login(rawEmail: string, password: string): Promise<SessionGrant> {
    const email = normalizeEmail(rawEmail);
    const user = await this.m.User.findOne({ email }).lean();
    const usable = user && (user.status === 'active' || user.status === 'deactivated') ? user : null;
    const ok = await verifyPassword(usable?.passwordHash ?? undefined, password);
    if (!ok || !usable) {
      throw problem('invalid_credentials', 'Wrong email or password.');
    }
    if (usable.status === 'deactivated') {
      throw problem('account_deactivated', 'This account has been deactivated.');
    }
    return this.open(usable);
  }

  /** A new session of `user` (a login, or an account just made from a link). */
  async open(user: UserDoc): Promise<SessionGrant> {
    const token = newToken('session');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.config.SESSION_ABSOLUTE_MINUTES * MINUTE);
    await this.m.Session.create({ _id: hashToken(token), userId: user._id, lastSeenAt: now, expiresAt });
    return { sessionToken: token, expiresAt: expiresAt.toISOString(), identity: identityOf(user) };
  }

  async logout(token: string): Promise<void> {
    await this.m.Session.deleteOne({ _id: hashToken(token) });
  }

  /**
   * The identity behind a session or API token, and which of the two it is (with the token's
   * scopes), or undefined (unknown, expired, idle, revoked).
   */
  async resolve(token: string): Promise<{ identity: VerifiedIdentity; credential: Credential } | undefined> {
    const kind = tokenKind(token);
    const now = Date.now();
    let userId: string;
    let credential: Credential;
    if (kind === 'session') {
      const session = await this.m.Session.findById(hashToken(token)).lean();
      if (!session) return undefined;
      const idle = session.lastSeenAt.getTime() + this.config.SESSION_IDLE_MINUTES * MINUTE <= now;
      if (idle || session.expiresAt.getTime() <= now) {
        await this.m.Session.deleteOne({ _id: session._id });
        return undefined;
      }
      // Extends the idle window; written at most once a minute per session.
      if (now - session.lastSeenAt.getTime() > MINUTE) {
        await this.m.Session.updateOne({ _id: session._id }, { $set: { lastSeenAt: new Date(now) } });
      }
      userId = session.userId;
      credential = { kind: 'session' };
    } else if (kind === 'api') {
      const apiToken = await this.m.ApiToken.findOne({ _id: hashToken(token), revokedAt: { $exists: false } }).lean();
      if (!apiToken || this.apiTokens.expiresAt(apiToken).getTime() <= now) return undefined;
      await this.m.ApiToken.updateOne({ _id: apiToken._id }, { $set: { lastUsedAt: new Date(now) } });
      userId = apiToken.userId;
      credential = { kind: 'api', scopes: scopesOf(apiToken) };
    } else {
      return undefined;
    }
    const user = await this.m.User.findOne({ _id: userId, status: 'active' }).lean();
    if (!user) return undefined;
    // A customer's token works only while they administer their organisation (an org admin's
    // system filing requests); it stops if that role is taken away.
    if (kind === 'api' && user.role === 'customer' && !(user.orgAdmin && user.organizationId)) return undefined;
    return { identity: identityOf(user), credential };
  }
}
