import { addressKey, linkSealContext, type LinkEventType, type Locale } from '@woop/contracts';
import { isDuplicateKey, keyedDigest, seal, type OutboxEntry, type OutboxRelay } from '@woop/service-kit';
import type { IdentityConfig } from '../config';
import type { IdentityModels } from './database';
import { MINUTE, normalizeEmail } from './facts';
import { problem } from './problems';
import { hashToken, newId, newToken, tokenKind } from './secrets';

export type LinkPurpose = 'signup' | 'reset' | 'invite';

/** The event that emails each kind of link. */
const LINK_EVENTS = {
  signup: 'user.signup_requested',
  reset: 'user.password_reset_requested',
  invite: 'user.invited',
} as const satisfies Record<LinkPurpose, LinkEventType>;

/** The portal's page each kind of link opens. */
const LINK_PAGES: Record<LinkPurpose, string> = {
  signup: '/signup/complete',
  reset: '/password-reset/complete',
  invite: '/invitation',
};

/**
 * The links emailed for sign-up, password reset and invitations (collection `link_tokens`):
 * issued with the event that emails them, superseded by a newer one, checked, used once.
 * A link's token exists only in memory and in the email; identity keeps its hash.
 */
export class Links {
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
  async notice(email: string, entry: OutboxEntry): Promise<void> {
    await this.m.LinkToken.create({
      _id: newId(),
      purpose: 'notice',
      email,
      expiresAt: new Date(Date.now() + 24 * 60 * MINUTE),
      outbox: [entry],
    });
  }

  /** The earlier unused links of `email` for `purpose` stop working. */
  async supersede(email: string, purpose: LinkPurpose, now = new Date()): Promise<void> {
    await this.relay.write(() =>
      this.m.LinkToken.updateMany(
        { email, purpose, usedAt: { $exists: false }, supersededAt: { $exists: false } },
        { $set: { supersededAt: now } },
      ),
    );
  }

  /** A new link for `email` and `purpose`, with the event that emails it; the earlier unused ones stop working. */
  async issue(
    purpose: LinkPurpose,
    email: string,
    ttlMinutes: number,
    event: (sealedLink: string, expiresAt: Date) => OutboxEntry,
    extra: { userId?: string; organizationId?: string; locale?: Locale } = {},
  ): Promise<void> {
    const now = new Date();
    await this.supersede(email, purpose, now);
    const token = newToken('link');
    const expiresAt = new Date(now.getTime() + ttlMinutes * MINUTE);
    await this.m.LinkToken.create({
      _id: hashToken(token),
      purpose,
      email,
      expiresAt,
      ...extra,
      outbox: [event(this.sealedLink(LINK_EVENTS[purpose], email, LINK_PAGES[purpose], token), expiresAt)],
    });
  }

  /**
   * Whether a link can still be used, without using it: the page it opens says at once that it
   * expired or was used, rather than after the person typed a name and a password.
   */
  async check(token: string, purpose: LinkPurpose): Promise<void> {
    await this.usable(token, purpose === 'reset' ? ['reset'] : ['signup', 'invite']);
  }

  /** The link's row if it can still be used; otherwise a 400 that says why. */
  async usable(token: string, purposes: LinkPurpose[]) {
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
  async consume(tokenHash: string): Promise<void> {
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
}
