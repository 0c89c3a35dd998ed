import { TOPICS, type Locale, type UserRole } from '@woop/contracts';
import { isDuplicateKey, outboxPush, tombstoneEntry, type OutboxRelay, type VerifiedIdentity } from '@woop/service-kit';
import type { Accounts } from './accounts';
import type { ApiTokens } from './api-tokens';
import type { IdentityModels, UserDoc } from './database';
import { identityEvent, normalizeEmail, userFacts } from './facts';
import type { Links } from './links';
import { canSeeOrganization } from './organizations';
import { forbidden, notFound, problem } from './problems';
import { newId } from './secrets';

/**
 * User management. Admins manage everyone; an organisation admin manages the customers of their
 * own organisation; agents read, and attach a customer to an organisation. What a caller may not
 * see answers 404.
 */
export class Users {
  constructor(
    private readonly m: IdentityModels,
    private readonly relay: OutboxRelay,
    private readonly accounts: Accounts,
    private readonly links: Links,
    private readonly apiTokens: ApiTokens,
  ) {}

  /** May `actor` manage `user`? Admins: anyone but themselves; org admins: their org's customers. */
  private canManage(actor: VerifiedIdentity, user: UserDoc): boolean {
    if (actor.userId === user._id) return false;
    if (actor.role === 'admin') return true;
    return (
      actor.role === 'customer' &&
      actor.orgAdmin &&
      user.role === 'customer' &&
      user.organizationId !== undefined &&
      user.organizationId === actor.organizationId
    );
  }

  async list(
    actor: VerifiedIdentity,
    query: { organizationId?: string; withoutOrganization?: 'true' | 'false' } = {},
  ): Promise<UserDoc[]> {
    let { organizationId } = query;
    if (actor.role === 'customer') {
      if (organizationId !== undefined && organizationId !== actor.organizationId) return [];
      if (query.withoutOrganization === 'true') return [];
      organizationId = actor.organizationId ?? '';
    }
    const filter = {
      status: { $ne: 'erased' as const },
      ...(organizationId !== undefined ? { organizationId } : {}),
      // Customers waiting to be attached to an organisation (open sign-up).
      ...(query.withoutOrganization === 'true'
        ? { role: 'customer' as const, organizationId: { $exists: false } }
        : {}),
    };
    return this.m.User.find(filter).sort({ email: 1 }).limit(500).lean();
  }

  async get(actor: VerifiedIdentity, id: string): Promise<UserDoc> {
    const user = await this.m.User.findById(id).lean();
    if (!user || user.status === 'erased') throw notFound();
    if (
      actor.role === 'customer' &&
      actor.userId !== id &&
      !canSeeOrganization(actor, user.organizationId ?? undefined)
    ) {
      throw notFound();
    }
    return user;
  }

  /** Invites someone: an account in `invited` state and a link to finish it (name + password). */
  async invite(
    actor: VerifiedIdentity,
    input: {
      email: string;
      role: UserRole;
      organizationId?: string;
      orgAdmin?: boolean;
      teams?: string[];
      fullName?: string;
      locale?: Locale;
    },
  ): Promise<UserDoc> {
    const email = normalizeEmail(input.email);
    const isOrgAdmin = actor.role === 'customer' && actor.orgAdmin;
    if (actor.role !== 'admin' && !isOrgAdmin) throw forbidden('Only an admin or an organisation admin invites.');
    if (isOrgAdmin && (input.role !== 'customer' || input.organizationId !== actor.organizationId)) {
      throw forbidden('An organisation admin invites customers into their own organisation only.');
    }
    if (input.role === 'customer') {
      if (!input.organizationId) {
        throw problem('validation_failed', 'A customer belongs to an organisation.', [
          { path: 'organizationId', message: 'Required for a customer.' },
        ]);
      }
      if (!(await this.m.Organization.exists({ _id: input.organizationId }))) throw notFound();
    }
    const user: UserDoc = {
      _id: newId(),
      email,
      fullName: input.fullName ?? '',
      role: input.role,
      ...(input.role === 'customer' ? { organizationId: input.organizationId } : {}),
      orgAdmin: input.role === 'customer' && (input.orgAdmin ?? false),
      teams: input.role === 'customer' ? [] : (input.teams ?? []),
      locale: input.locale ?? 'fr',
      status: 'invited',
      outbox: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    try {
      await this.m.User.create(user);
    } catch (err) {
      if (isDuplicateKey(err)) {
        throw problem('email_taken', 'An account already uses this address.');
      }
      throw err;
    }
    await this.accounts.issueInvite(user, actor.userId);
    return user;
  }

  /**
   * Changes a user. Anyone: their own name and language. Admins: anything of others. Org admins:
   * their customers' profile and orgAdmin. Agents: only the organisation of a customer (to
   * attach someone who signed up without one). Customers never change an organisation.
   */
  async update(
    actor: VerifiedIdentity,
    id: string,
    changes: {
      role?: UserRole;
      orgAdmin?: boolean;
      teams?: string[];
      fullName?: string;
      locale?: Locale;
      organizationId?: string;
    },
  ): Promise<UserDoc> {
    const user = await this.get(actor, id);
    const self = actor.userId === id;
    const keys = Object.keys(changes);
    if (changes.organizationId !== undefined) {
      if (actor.role === 'customer') throw forbidden("Only an admin or an agent changes a customer's organisation.");
      if ((changes.role ?? user.role) !== 'customer') {
        const message = 'Only customers belong to an organisation.';
        throw problem('validation_failed', message, [{ path: 'organizationId', message }]);
      }
      if (!(await this.m.Organization.exists({ _id: changes.organizationId }))) {
        throw problem('not_found', 'No such organisation.');
      }
    }
    const onlyProfile = keys.every((k) => k === 'fullName' || k === 'locale');
    const agentAttaching = actor.role === 'agent' && keys.every((k) => k === 'organizationId');
    if (actor.role === 'agent' && !self && !agentAttaching) {
      throw forbidden("An agent changes only a customer's organisation.");
    }
    if (!(self && onlyProfile) && !agentAttaching && !this.canManage(actor, user)) throw notFound();
    if (actor.role !== 'admin' && (changes.role !== undefined || changes.teams !== undefined)) {
      throw forbidden('Only an admin changes roles and teams.');
    }
    const next = { ...user, ...changes };
    // Being an organisation's admin does not follow a customer into another organisation.
    const moved = changes.organizationId !== undefined && changes.organizationId !== user.organizationId;
    if (moved && changes.orgAdmin === undefined && next.orgAdmin) {
      next.orgAdmin = false;
      keys.push('orgAdmin');
    }
    if (next.role !== 'customer') next.orgAdmin = false;
    // A token was made for what its owner did in their role: a new role (or the organisation's
    // administration given or taken) ends it, as it ends a script's right to act for them.
    const roleChanged = next.role !== user.role || next.orgAdmin !== user.orgAdmin;
    const set = {
      role: next.role,
      orgAdmin: next.orgAdmin,
      teams: next.teams,
      fullName: next.fullName,
      locale: next.locale,
      ...(next.organizationId ? { organizationId: next.organizationId } : {}),
    };
    await this.relay.write(() =>
      this.m.User.updateOne(
        { _id: id },
        {
          $set: set,
          $push: outboxPush(
            identityEvent('user.updated', id, { user: userFacts(next), changes: keys, by: actor.userId }),
          ),
        },
      ),
    );
    if (roleChanged) await this.apiTokens.revokeAll(id);
    this.relay.kick();
    return next;
  }

  async setActive(actor: VerifiedIdentity, id: string, active: boolean): Promise<UserDoc> {
    const user = await this.get(actor, id);
    if (!this.canManage(actor, user)) throw notFound();
    const status = active ? (user.passwordHash ? 'active' : 'invited') : 'deactivated';
    const next = { ...user, status } as UserDoc;
    const type = active ? 'user.reactivated' : 'user.deactivated';
    await this.relay.write(() =>
      this.m.User.updateOne(
        { _id: id },
        { $set: { status }, $push: outboxPush(identityEvent(type, id, { user: userFacts(next), by: actor.userId })) },
      ),
    );
    if (!active) {
      await this.m.Session.deleteMany({ userId: id });
      await this.apiTokens.revokeAll(id);
    }
    this.relay.kick();
    return next;
  }

  /**
   * Erasure (GDPR art. 17): personal data replaced here, sessions and tokens deleted, and a
   * `user.erased` event on which every other service anonymises its copies.
   */
  async erase(actor: VerifiedIdentity, id: string): Promise<void> {
    if (actor.role !== 'admin' && !(actor.role === 'agent' && actor.teams.includes('dpo'))) {
      throw forbidden('Only an admin or the DPO team erases accounts.');
    }
    // Nobody erases their own account here: an erasure one cannot undo is decided by a second
    // person (and an admin erasing themselves could leave nobody to administer).
    if (actor.userId === id) {
      throw problem('erase_self_refused', 'Your own account is erased by another admin or the DPO team.');
    }
    const user = await this.m.User.findById(id).lean();
    if (!user) throw notFound();
    if (user.status === 'erased') return;
    // The DPO team erases customers; staff accounts (agents, admins) only an admin.
    if (user.role !== 'customer' && actor.role !== 'admin') {
      throw problem('erase_requires_admin', "Only an admin erases an agent's or an admin's account.");
    }
    const erased = identityEvent('user.erased', id, { userId: id, by: actor.userId });
    await this.relay.write(() =>
      this.m.User.updateOne(
        { _id: id },
        {
          $set: { email: `erased-${id}@invalid`, fullName: '', status: 'erased', orgAdmin: false },
          $unset: { passwordHash: 1 },
          // Then tombstones on the compacted users topic: for the user id (every user.* event)
          // and for the address's sign-up events, so the log cleaner drops them all.
          $push: outboxPush(
            erased,
            tombstoneEntry(TOPICS.users.name, id, erased.event),
            tombstoneEntry(TOPICS.users.name, this.links.addressKey(user.email), erased.event),
          ),
        },
      ),
    );
    await this.m.Session.deleteMany({ userId: id });
    await this.m.ApiToken.deleteMany({ userId: id });
    await this.m.LinkToken.deleteMany({ email: user.email, 'outbox.0': { $exists: false } });
    this.relay.kick();
  }
}
