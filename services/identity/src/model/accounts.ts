import type { Locale } from '@woop/contracts';
import { isDuplicateKey, outboxPush, type OutboxRelay } from '@woop/service-kit';
import type { IdentityConfig } from '../config';
import type { ApiTokens } from './api-tokens';
import type { IdentityModels, UserDoc } from './database';
import { identityEvent, normalizeEmail, userFacts } from './facts';
import type { Links } from './links';
import { checkPassword, hashPassword, verifyPassword } from './passwords';
import { problem } from './problems';
import { hashToken, newId } from './secrets';
import type { SessionGrant, Sessions } from './sessions';

/**
 * Accounts made and kept: sign-up, invitation, password reset and change. Requests about an
 * address (sign-up, reset) answer the same whatever the address is; what differs is only the
 * email its owner gets.
 */
export class Accounts {
  constructor(
    private readonly m: IdentityModels,
    private readonly config: IdentityConfig,
    private readonly relay: OutboxRelay,
    private readonly links: Links,
    private readonly sessions: Sessions,
    private readonly apiTokens: ApiTokens,
  ) {}

  async requestSignup(rawEmail: string, locale: Locale): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const existing = await this.m.User.findOne({ email, status: { $ne: 'erased' } }).lean();
    const domain = email.split('@')[1] ?? '';
    // Looked up whoever asks, and the address's earlier sign-up links end whoever it is (useless
    // once it has an account): every answer does the same reads and writes, so its time tells
    // nobody whether the address has an account.
    const org = await this.m.Organization.findOne({ emailDomains: domain }).lean();
    if (existing) {
      await this.links.supersede(email, 'signup');
      await this.links.notice(
        email,
        identityEvent('user.signup_existing_account', this.links.addressKey(email), {
          email,
          loginLink: new URL('/login', this.config.PORTAL_URL).toString(),
          resetLink: new URL('/password-reset', this.config.PORTAL_URL).toString(),
          locale: existing.locale,
        }),
      );
    } else {
      if (!org && this.config.SIGNUP_POLICY === 'organization_domains') {
        await this.links.supersede(email, 'signup');
        await this.links.notice(
          email,
          identityEvent('user.signup_not_allowed', this.links.addressKey(email), { email, locale }),
        );
      } else {
        // Open sign-up: an address at no organisation's domain becomes a customer of none.
        await this.links.issue(
          'signup',
          email,
          this.config.SIGNUP_LINK_TTL_MINUTES,
          (sealedLink, expiresAt) =>
            identityEvent('user.signup_requested', this.links.addressKey(email), {
              email,
              sealedLink,
              expiresAt: expiresAt.toISOString(),
              locale,
            }),
          { ...(org ? { organizationId: org._id } : {}), locale },
        );
      }
    }
    this.relay.kick();
  }

  async requestPasswordReset(rawEmail: string, locale: Locale): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const user = await this.m.User.findOne({ email, status: 'active' }).lean();
    if (user) {
      await this.links.issue('reset', email, this.config.RESET_LINK_TTL_MINUTES, (sealedLink, expiresAt) =>
        identityEvent('user.password_reset_requested', user._id, {
          email,
          sealedLink,
          expiresAt: expiresAt.toISOString(),
          locale: user.locale ?? locale,
        }),
      );
      this.relay.kick();
    } else {
      // The same amount of work as the other branch: no timing tells whether the address exists
      // (an inactive account's earlier reset links end too).
      await this.links.supersede(email, 'reset');
      await this.m.LinkToken.create({ _id: newId(), purpose: 'notice', email, expiresAt: new Date() });
    }
  }

  async issueInvite(user: UserDoc, invitedBy: string): Promise<void> {
    await this.links.issue(
      'invite',
      user.email,
      this.config.INVITE_LINK_TTL_MINUTES,
      (sealedLink, expiresAt) =>
        identityEvent('user.invited', user._id, {
          user: userFacts(user),
          sealedLink,
          expiresAt: expiresAt.toISOString(),
          invitedBy,
        }),
      { userId: user._id },
    );
    this.relay.kick();
  }

  /** Finishes a sign-up or an invitation: full name + password → an active account, logged in. */
  async completeSignup(token: string, fullName: string, password: string): Promise<SessionGrant> {
    const row = await this.links.usable(token, ['signup', 'invite']);
    checkPassword(password, [row.email, row.email.split('@')[0] ?? '', fullName]);
    const passwordHash = await hashPassword(password);
    await this.links.consume(row._id);
    let user: UserDoc;
    if (row.purpose === 'invite') {
      const invited = await this.m.User.findOne({ _id: row.userId, status: 'invited' }).lean();
      if (!invited) throw problem('link_invalid', 'This invitation was withdrawn.');
      user = { ...invited, fullName, passwordHash, status: 'active' };
      const done = await this.relay.write(() =>
        this.m.User.updateOne(
          { _id: invited._id, status: 'invited' },
          {
            $set: { fullName, passwordHash, status: 'active' },
            $push: outboxPush(identityEvent('user.registered', invited._id, { user: userFacts(user) })),
          },
        ),
      );
      if (done.modifiedCount !== 1) throw problem('link_invalid', 'This invitation was withdrawn.');
    } else {
      const id = newId();
      user = {
        _id: id,
        email: row.email,
        fullName,
        passwordHash,
        role: 'customer',
        organizationId: row.organizationId ?? undefined,
        orgAdmin: false,
        teams: [],
        locale: row.locale ?? 'fr',
        status: 'active',
        outbox: [],
        createdAt: new Date(),
        updatedAt: new Date(),
      };
      try {
        // The account and its event in one write: both exist or neither does.
        await this.m.User.create({
          ...user,
          outbox: [identityEvent('user.registered', id, { user: userFacts(user) })],
        });
      } catch (err) {
        if (isDuplicateKey(err)) {
          throw problem('account_exists', 'An account already uses this address; log in.');
        }
        throw err;
      }
    }
    this.relay.kick();
    return this.sessions.open(user);
  }

  /** Sets the new password of the link's account; answers its address. */
  async completePasswordReset(token: string, password: string): Promise<string> {
    const row = await this.links.usable(token, ['reset']);
    const user = await this.m.User.findOne({ email: row.email, status: 'active' }).lean();
    if (!user) throw problem('link_invalid', 'This link is not valid. Ask for a new one.');
    checkPassword(password, [user.email, user.fullName]);
    const passwordHash = await hashPassword(password);
    await this.links.consume(row._id);
    await this.relay.write(() =>
      this.m.User.updateOne(
        { _id: user._id },
        {
          $set: { passwordHash },
          $push: outboxPush(identityEvent('user.password_changed', user._id, { user: userFacts(user) })),
        },
      ),
    );
    // Whoever knew the old password is logged out everywhere, and loses the API tokens they made.
    await this.m.Session.deleteMany({ userId: user._id });
    await this.apiTokens.revokeAll(user._id);
    this.relay.kick();
    return user.email;
  }

  /**
   * A logged-in user changes their password. Every other session of the account ends: whoever
   * knew the old password is logged out; `keepSessionToken` (the session asking) stays open.
   * Every API token ends too, as on a reset: one that leaked with the old password must not
   * outlive it.
   */
  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string; keepSessionToken?: string },
  ): Promise<void> {
    const user = await this.m.User.findOne({ _id: userId, status: 'active' }).lean();
    if (!(await verifyPassword(user?.passwordHash ?? undefined, input.currentPassword)) || !user) {
      const message = 'This is not your current password.';
      throw problem('invalid_current_password', message, [{ path: 'currentPassword', message }]);
    }
    checkPassword(input.newPassword, [user.email, user.email.split('@')[0] ?? '', user.fullName], 'newPassword');
    const passwordHash = await hashPassword(input.newPassword);
    await this.relay.write(() =>
      this.m.User.updateOne(
        { _id: user._id },
        {
          $set: { passwordHash },
          $push: outboxPush(identityEvent('user.password_changed', user._id, { user: userFacts(user) })),
        },
      ),
    );
    const keep = input.keepSessionToken !== undefined ? [hashToken(input.keepSessionToken)] : [];
    await this.m.Session.deleteMany({ userId: user._id, _id: { $nin: keep } });
    await this.apiTokens.revokeAll(user._id);
    this.relay.kick();
  }
}
