import type { mongo } from 'mongoose';
import type { EventEnvelope, UserFacts } from '@woop/contracts';
import type { Logger } from '@woop/service-kit';
import { PEOPLE_COLLECTION, type PersonRecord } from '../model/people';
import { ROWS_COLLECTION } from '../model/read-model';
import type { TicketWorkflows } from './ticket-client';

/**
 * A customer moved to another organisation: the old organisation's requests shared with them
 * stop being (issue #23). The read check already ignores such a share from the moment their
 * identity names the new organisation (`isSharedWith`); this removes it from "Partagé avec" too,
 * so the requests' emails stop and the pages stop naming them. They leave as anyone may leave a
 * share: an `unshare` of themself, one per request still worked (a closed one's workflow has
 * ended; the read check covers it). Idempotent (the update id names the event and the request),
 * and best effort: a request that could not be reached is logged, never retried forever.
 */
export async function readPersonBefore(db: mongo.Db, event: EventEnvelope): Promise<PersonRecord | null> {
  const user = (event.data as { user?: UserFacts }).user;
  if (!user) return null;
  return db.collection<PersonRecord>(PEOPLE_COLLECTION).findOne({ _id: user.userId });
}

export async function dropSharesOfMoved(
  db: mongo.Db,
  workflows: TicketWorkflows,
  event: EventEnvelope,
  before: PersonRecord | null,
  logger: Logger,
): Promise<number> {
  const user = (event.data as { user?: UserFacts }).user;
  if (!user || user.role !== 'customer' || !before || before.organizationId === user.organizationId) return 0;
  const rows = await db
    .collection(ROWS_COLLECTION)
    .find({ sharedWithIds: user.userId, status: { $ne: 'closed' } }, { projection: { _id: 1, organizationId: 1 } })
    .toArray();
  let dropped = 0;
  for (const row of rows) {
    if (row.organizationId === user.organizationId) continue;
    const reference = String(row._id);
    try {
      await workflows.act(
        reference,
        'unshare',
        { actor: { id: user.userId, role: 'customer', name: user.fullName }, payload: { userId: user.userId } },
        `moved:${event.id}:${reference}`,
      );
      dropped += 1;
    } catch (err) {
      logger.warn({ err, reference, userId: user.userId }, 'could not drop the share of a person who moved');
    }
  }
  return dropped;
}
