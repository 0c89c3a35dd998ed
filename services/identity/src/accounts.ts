import {
  API_TOKEN_SCOPES,
  addressKey,
  IDENTITY_EVENT_VERSIONS,
  linkSealContext,
  makeEvent,
  TOPICS,
  type ApiTokenScope,
  type IdentityEventData,
  type IdentityEventType,
  type LinkEventType,
  type Locale,
  type UserFacts,
} from '@woop/contracts';
import {
  isDuplicateKey,
  keyedDigest,
  outboxEntry,
  outboxPush,
  seal,
  type OutboxEntry,
  type OutboxRelay,
  type VerifiedIdentity,
} from '@woop/service-kit';
import type { IdentityConfig } from './config';
import type { IdentityModels, UserDoc } from './model';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { problem } from './problems';
import { hashToken, newId, newToken, tokenKind } from './secrets';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The event that emails each kind of link. */
const LINK_EVENTS = {
  signup: 'user.signup_requested',
  reset: 'user.password_reset_requested',
  invite: 'user.invited',
} as const satisfies Record<string, LinkEventType>;

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

const passwordMessages = {
  too_short: 'Use at least 12 characters.',
  too_long: 'Use at most 256 characters.',
  too_common: 'This password is too easy to guess; choose another one.',
};

function checkPassword(password: string, context: string[], field = 'password'): void {
  const weakness = passwordProblem(password, context);
  if (weakness) {
    const message = passwordMessages[weakness];
    throw problem('weak_password', message, [{ path: field, message }]);
  }
}

/**
 * What a token may do, in a fixed order. A token made before scopes has none stored and keeps
 * doing what it did: both.
 */
export function scopesOf(token: { scopes?: readonly string[] | null }): ApiTokenScope[] {
  const stored = token.scopes ?? [];
  const scopes = API_TOKEN_SCOPES.filter((s) => stored.includes(s));
  return scopes.length > 0 ? scopes : [...API_TOKEN_SCOPES];
}

/** What a caller authenticated with: a session (a person at the portal) or an API token and its scopes. */
export type Credential = { kind: 'session' } | { kind: 'api'; scopes: ApiTokenScope[] };

export interface SessionGrant {
  sessionToken: string;
  expiresAt: string;
  identity: VerifiedIdentity;
}

/**
 * Sign-up, login, sessions and password reset. Requests about an address (sign-up, reset)
 * answer the same whatever the address is; what differs is only the email its owner gets.
 */
export class Accounts {
  constructor(
    private readonly m: IdentityModels,
    private readonly config: IdentityConfig,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * The users topic's key of the events about an address without an account (sign-up): a keyed
   * digest, so the address is not the key, and the erasure's tombstone finds it again. A new
   * LINK_SEALING_KEY changes it: records keyed under the old one stay until compacted by a later
   * record (docs/operations.md, "Erasure").
   */
  addressKey(email: string): string {
    return addressKey(keyedDigest(this.config.LINK_SEALING_KEY, 'users-topic address', normalizeEmail(email)));
  }

  /**
   * The link with its token, sealed for the notifications service and the address it goes to:
   * the raw token exists only here, in memory, and in the email (identity keeps its hash).
   */
  private sealedLink(type: LinkEventType, address: string, path: string, token: string): string {
    const link = new URL(`${path}?token=${encodeURIComponent(token)}`, this.config.PORTAL_URL).toString();
    return seal(link, this.config.LINK_SEALING_KEY, linkSealContext(type, address));
  }

  /** One row that only carries an email to send (no usable token), swept after a day. */
  private async notice(email: string, entry: OutboxEntry): Promise<void> {
    await this.m.LinkToken.create({
      _id: newId(),
      purpose: 'notice',
      email,
      expiresAt: new Date(Date.now() + 24 * 60 * MINUTE),
      outbox: [entry],
    });
  }

  /** The earlier unused links of `email` for `purpose` stop working. */
  private async supersede(email: string, purpose: 'signup' | 'reset' | 'invite', now = new Date()): Promise<void> {
    await this.relay.write(() =>
      this.m.LinkToken.updateMany(
        { email, purpose, usedAt: { $exists: false }, supersededAt: { $exists: false } },
        { $set: { supersededAt: now } },
      ),
    );
  }

  /** A new link for `email` and `purpose`; the earlier unused ones stop working. */
  private async issueLink(
    purpose: 'signup' | 'reset' | 'invite',
    email: string,
    ttlMinutes: number,
    event: (sealedLink: string, expiresAt: Date) => OutboxEntry,
    extra: { userId?: string; organizationId?: string; locale?: Locale } = {},
  ): Promise<void> {
    const now = new Date();
    await this.supersede(email, purpose, now);
    const token = newToken('link');
    const expiresAt = new Date(now.getTime() + ttlMinutes * MINUTE);
    const path = { signup: '/signup/complete', reset: '/password-reset/complete', invite: '/invitation' }[purpose];
    const type = LINK_EVENTS[purpose];
    await this.m.LinkToken.create({
      _id: hashToken(token),
      purpose,
      email,
      expiresAt,
      ...extra,
      outbox: [event(this.sealedLink(type, email, path, token), expiresAt)],
    });
  }

  async requestSignup(rawEmail: string, locale: Locale): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const existing = await this.m.User.findOne({ email, status: { $ne: 'erased' } }).lean();
    const domain = email.split('@')[1] ?? '';
    // Looked up whoever asks, and the address's earlier sign-up links end whoever it is (useless
    // once it has an account): every answer does the same reads and writes, so its time tells
    // nobody whether the address has an account.
    const org = await this.m.Organization.findOne({ emailDomains: domain }).lean();
    if (existing) {
      await this.supersede(email, 'signup');
      await this.notice(
        email,
        identityEvent('user.signup_existing_account', this.addressKey(email), {
          email,
          loginLink: new URL('/login', this.config.PORTAL_URL).toString(),
          resetLink: new URL('/password-reset', this.config.PORTAL_URL).toString(),
          locale: existing.locale,
        }),
      );
    } else {
      if (!org && this.config.SIGNUP_POLICY === 'organization_domains') {
        await this.supersede(email, 'signup');
        await this.notice(email, identityEvent('user.signup_not_allowed', this.addressKey(email), { email, locale }));
      } else {
        // Open sign-up: an address at no organisation's domain becomes a customer of none.
        await this.issueLink(
          'signup',
          email,
          this.config.SIGNUP_LINK_TTL_MINUTES,
          (sealedLink, expiresAt) =>
            identityEvent('user.signup_requested', this.addressKey(email), {
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
      await this.issueLink('reset', email, this.config.RESET_LINK_TTL_MINUTES, (sealedLink, expiresAt) =>
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
      await this.supersede(email, 'reset');
      await this.m.LinkToken.create({ _id: newId(), purpose: 'notice', email, expiresAt: new Date() });
    }
  }

  async issueInvite(user: UserDoc, invitedBy: string): Promise<void> {
    await this.issueLink(
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

  /**
   * Whether a link can still be used, without using it: the page it opens says at once that it
   * expired or was used, rather than after the person typed a name and a password.
   */
  async checkLink(token: string, purpose: 'signup' | 'reset' | 'invite'): Promise<void> {
    await this.usableLink(token, purpose === 'reset' ? ['reset'] : ['signup', 'invite']);
  }

  /** The link's row if it can still be used; otherwise a 400 that says why. */
  private async usableLink(token: string, purposes: Array<'signup' | 'reset' | 'invite'>) {
    const row = tokenKind(token) === 'link' ? await this.m.LinkToken.findById(hashToken(token)).lean() : null;
    if (!row || !purposes.includes(row.purpose as never)) {
      throw problem('link_invalid', 'This link is not valid. Ask for a new one.');
    }
    if (row.usedAt) throw problem('link_used', 'This link has already been used. Ask for a new one.');
    if (row.supersededAt) throw problem('link_superseded', 'A newer link was sent; use the latest email.');
    if (row.expiresAt.getTime() <= Date.now())
      throw problem('link_expired', 'This link has expired. Ask for a new one.');
    return row;
  }

  /**
   * Marks the link used, once. The winner is whoever inserts its use first (a unique _id):
   * FerretDB's findAndModify is not atomic under concurrency (two callers both "won" in our
   * probe), an insert is.
   */
  private async consume(tokenHash: string): Promise<void> {
    try {
      await this.m.LinkUse.create({ _id: tokenHash });
    } catch (err) {
      if (isDuplicateKey(err)) {
        throw problem('link_used', 'This link has already been used.');
      }
      throw err;
    }
    const used = await this.relay.write(() =>
      this.m.LinkToken.findOneAndUpdate(
        {
          _id: tokenHash,
          usedAt: { $exists: false },
          supersededAt: { $exists: false },
          expiresAt: { $gt: new Date() },
        },
        { $set: { usedAt: new Date() } },
      ),
    );
    if (!used) throw problem('link_used', 'This link has already been used.');
  }

  /** Finishes a sign-up or an invitation: full name + password → an active account, logged in. */
  async completeSignup(token: string, fullName: string, password: string): Promise<SessionGrant> {
    const row = await this.usableLink(token, ['signup', 'invite']);
    checkPassword(password, [row.email, row.email.split('@')[0] ?? '', fullName]);
    const passwordHash = await hashPassword(password);
    await this.consume(row._id);
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
    return this.openSession(user);
  }

  /** Sets the new password of the link's account; answers its address. */
  async completePasswordReset(token: string, password: string): Promise<string> {
    const row = await this.usableLink(token, ['reset']);
    const user = await this.m.User.findOne({ email: row.email, status: 'active' }).lean();
    if (!user) throw problem('link_invalid', 'This link is not valid. Ask for a new one.');
    checkPassword(password, [user.email, user.fullName]);
    const passwordHash = await hashPassword(password);
    await this.consume(row._id);
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
    await this.revokeApiTokens(user._id);
    this.relay.kick();
    return user.email;
  }

  /** When an API token stops working; one made before tokens expired counts from its creation. */
  apiTokenExpiresAt(token: { createdAt: Date; expiresAt?: Date | null }): Date {
    return token.expiresAt ?? new Date(token.createdAt.getTime() + this.config.API_TOKEN_TTL_DAYS * DAY);
  }

  /** A new API token's expiry. */
  newApiTokenExpiry(now = new Date()): Date {
    return new Date(now.getTime() + this.config.API_TOKEN_TTL_DAYS * DAY);
  }

  /** Ends every API token of `userId` (password change or reset, deactivation, change of role). */
  async revokeApiTokens(userId: string): Promise<void> {
    await this.m.ApiToken.updateMany({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date() } });
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
    await this.revokeApiTokens(user._id);
    this.relay.kick();
  }

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
    return this.openSession(usable);
  }

  private async openSession(user: UserDoc): Promise<SessionGrant> {
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
      if (!apiToken || this.apiTokenExpiresAt(apiToken).getTime() <= now) return undefined;
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
