import type { mongo } from 'mongoose';
import { isDuplicateKey } from '@woop/service-kit';
import {
  ROW_LAYOUT,
  ROWS_COLLECTION,
  rowOf,
  TICKETS_COLLECTION,
  type TicketLike,
  type TicketRecord,
} from '../model/read-model';

/**
 * The write side of the read model: the workflow's projection activity writes each version of a
 * ticket here (see `model/read-model.ts` for what is stored).
 */

/**
 * Writes `set` into `collection`'s document of `reference` only over an older version: the
 * filter matches an older document or none (then the upsert inserts); a newer or equal one makes
 * the upsert collide on `_id`, which means "already there". Idempotent, so the activity may retry.
 */
async function upsertNewer(
  db: mongo.Db,
  collection: string,
  reference: string,
  version: number,
  set: Record<string, unknown>,
): Promise<void> {
  try {
    await db
      .collection(collection)
      .updateOne({ _id: reference as never, version: { $lt: version } }, { $set: set }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** A ticket's list row, written only over an older one (`upsertNewer`). */
async function saveRow(db: mongo.Db, reference: string, ticket: TicketLike): Promise<void> {
  const { _id: _rowId, ...row } = rowOf(reference, ticket);
  await upsertNewer(db, ROWS_COLLECTION, reference, ticket.version, row);
}

/** Writes a version of a ticket and its row, each only over an older one (`upsertNewer`). */
export async function saveProjection(db: mongo.Db, reference: string, ticket: TicketLike): Promise<void> {
  const { reference: _r, ...doc } = ticket;
  // `activityCount`: how many activity entries the document holds, where a later delta starts.
  await upsertNewer(db, TICKETS_COLLECTION, reference, ticket.version, {
    ...doc,
    activityCount: doc.activity.length,
    projectedAt: new Date(),
  });
  await saveRow(db, reference, ticket);
}

/**
 * Writes a version of a ticket from a delta: `ticket` holds every field but only the activity
 * entries after the first `from`, which the document must already hold (`activityCount`). One
 * conditional update appends them and sets the rest, so it applies once: a retry finds the
 * version there (`already`). A document that is missing, older than deltas (no count) or not
 * at `from` is a `gap`: the caller sends the whole state instead.
 */
export async function saveProjectionDelta(
  db: mongo.Db,
  reference: string,
  ticket: TicketLike,
  from: number,
): Promise<'written' | 'already' | 'gap'> {
  const { reference: _r, activity, ...rest } = ticket;
  const tickets = db.collection<TicketRecord & { activityCount?: number }>(TICKETS_COLLECTION);
  const res = await tickets.updateOne(
    { _id: reference, version: { $lt: ticket.version }, activityCount: from },
    {
      $set: { ...rest, activityCount: from + activity.length, projectedAt: new Date() },
      $push: { activity: { $each: activity } },
    },
  );
  let outcome: 'written' | 'already' = 'written';
  if (res.matchedCount === 0) {
    const found = await tickets.findOne({ _id: reference }, { projection: { version: 1 } });
    if (!found || found.version < ticket.version) return 'gap';
    outcome = 'already';
  }
  // The row too (again on a retry: the first attempt may have died between the two writes).
  await saveRow(db, reference, ticket);
  return outcome;
}

/**
 * A one-off catch-up at start: rows for tickets projected before rows existed, and rows of an
 * older layout (ROW_LAYOUT) rewritten from their ticket, at its version.
 */
export async function backfillRows(db: mongo.Db): Promise<number> {
  const rows = db.collection(ROWS_COLLECTION);
  const tickets = db.collection<TicketRecord>(TICKETS_COLLECTION);
  let written = 0;
  for await (const old of rows.find({ layout: { $ne: ROW_LAYOUT } }, { projection: { _id: 1 } })) {
    const doc = await tickets.findOne({ _id: old._id as never });
    if (!doc) continue;
    const { _id, ...ticket } = doc;
    const { _id: _rowId, ...row } = rowOf(_id, ticket);
    // Only over a row of that version or an older one: a newer projection in between wins.
    const res = await rows.updateOne({ _id: _id as never, version: { $lte: ticket.version } }, { $set: row });
    written += res.matchedCount;
  }
  if ((await rows.estimatedDocumentCount()) >= (await tickets.estimatedDocumentCount())) return written;
  for await (const doc of tickets.find({})) {
    const { _id, ...ticket } = doc;
    if (await rows.findOne({ _id: _id as never, version: { $gte: ticket.version } })) continue;
    await saveProjection(db, _id, ticket);
    written++;
  }
  return written;
}
