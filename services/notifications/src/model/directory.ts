import type { Locale, UserFacts, UserRole } from '@woop/contracts';
import { isDuplicateKey } from '@woop/service-kit';
import type { DeliveryKeys, NotificationModels, RecipientRow } from './store';

/**
 * A person as the directory knows them: notifications' copy of the people it writes to, kept
 * from identity's user.* events (`applyUserEvent`); of an erased person, a tombstone.
 */
export interface Recipient {
  userId: string;
  email: string;
  fullName: string;
  locale: Locale;
  active: boolean;
  role: UserRole;
  teams: string[];
  /** Identity's status; absent on a copy made before it was kept. */
  status?: UserFacts['status'];
}

/**
 * Keeps the copy of users in step with identity's events. Erasure removes what was personal and
 * keeps a tombstone (the id, status `erased`): an erased person's later ticket events are
 * skipped, not taken for a person not known yet and waited for; a user.* event read after it (a
 * replay) never brings the person back.
 */
export async function applyUserEvent(
  models: NotificationModels,
  type: string,
  data: Record<string, unknown>,
  keys?: DeliveryKeys,
) {
  if (type === 'user.erased') {
    const userId = String(data.userId);
    const known = await models.Recipient.findById(userId).lean();
    const email = known?.email?.toLowerCase();
    const legacyOfAddress = email ? { _id: { $regex: `\\|${escapeRegExp(email)}$`, $options: 'i' } } : undefined;
    const mine = {
      $or: [
        { recipientId: userId },
        ...(email ? [{ address: email }, legacyOfAddress!] : []),
        { _id: { $regex: `\\|(agent:)?${escapeRegExp(userId)}$` } },
      ],
    };
    // Each row: the address gone (and from the error text), and a legacy id (the address or the
    // user id in clear) replaced by its digest: the row is copied under the new id, then the
    // old one removed (an id cannot change). Run again, it finds nothing left to do.
    for (const row of await models.Delivery.find(mine).lean()) {
      const bar = row._id.indexOf('|');
      const recipientKey = row._id.slice(bar + 1);
      const legacy = keys !== undefined && !recipientKey.startsWith('k:');
      const error =
        email && row.error ? row.error.replace(new RegExp(escapeRegExp(email), 'gi'), '[supprimé]') : row.error;
      // The Message-ID too: an unkeyed hash of event and address, which a guessed address matches.
      const { messageId: _messageId, ...kept } = row;
      const next = {
        ...kept,
        ...(legacy ? { _id: `${row._id.slice(0, bar)}|${keys.digest(recipientKey)}` } : {}),
        address: 'erased@invalid',
        recipientId: userId,
        ...(error !== undefined ? { error } : {}),
      };
      if (!legacy) {
        await models.Delivery.replaceOne({ _id: row._id }, next);
        continue;
      }
      try {
        await models.Delivery.collection.insertOne(next as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      await models.Delivery.deleteOne({ _id: row._id });
    }
    // The raw collection: the model's defaults (language, role) are no part of a tombstone.
    await models.Recipient.collection.replaceOne(
      { _id: userId as never },
      { status: 'erased', active: false, updatedAt: new Date() },
      { upsert: true },
    );
    await models.Preference.deleteMany({ userId });
    await models.Awaiting.deleteMany({ userId });
    return;
  }
  const user = data.user as UserFacts | undefined;
  if (!user) return;
  try {
    await upsertRecipient(models, user);
  } catch (err) {
    // The tombstone of an erased person: the filter passes it by, and the upsert meets its id.
    if (!isDuplicateKey(err)) throw err;
  }
}

function upsertRecipient(models: NotificationModels, user: UserFacts) {
  return models.Recipient.updateOne(
    { _id: user.userId, status: { $ne: 'erased' } },
    {
      $set: {
        email: user.email,
        fullName: user.fullName,
        locale: user.locale,
        active: user.status === 'active' || user.status === 'invited',
        role: user.role,
        teams: user.teams ?? [],
        status: user.status,
      },
    },
    { upsert: true },
  );
}

// A copy made before role, teams and status were kept reads as a customer's, as it was then.
// A tombstone has no address, name nor language: it is only ever skipped.
const toRecipient = (r: RecipientRow): Recipient => ({
  userId: r._id,
  email: r.email ?? '',
  fullName: r.fullName ?? '',
  locale: r.locale ?? 'fr',
  active: r.active,
  role: r.role ?? 'customer',
  teams: r.teams ?? [],
  ...(r.status ? { status: r.status } : {}),
});

export async function findRecipient(models: NotificationModels, userId: string): Promise<Recipient | undefined> {
  const r = await models.Recipient.findById(userId).lean();
  return r ? toRecipient(r) : undefined;
}

/** Agents and admins of `team` whose account is active (not invited, not deactivated). */
export async function findTeamAgents(models: NotificationModels, team: string): Promise<Recipient[]> {
  const rows = await models.Recipient.find({ teams: team, role: { $in: ['agent', 'admin'] }, status: 'active' })
    .sort({ _id: 1 })
    .lean();
  return rows.map(toRecipient);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
