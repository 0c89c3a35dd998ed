import type { mongo } from 'mongoose';
import type { Logger } from '@woop/service-kit';
import { ERASED_NAME, peopleFilter, rewriteTicketsOf, type PersonRecord } from '../model/people';
import { TICKETS_COLLECTION, type TicketRecord } from '../model/read-model';
import type { TicketWorkflows } from './ticket-client';

/**
 * What the tickets service does on `user.erased` (or the users topic's tombstone), after the
 * people directory has dropped the address: the read model rewritten (`rewriteTicketsOf`), the
 * uploader's name on attachments, and every running ticket workflow that names the person
 * renamed in its state (the `erasePerson` update), so that no later event, email or projection
 * carries the name. Idempotent: run again (a redelivery, a second erasure) it changes nothing.
 * Throws when a workflow could not be reached: the consumer does not commit the message and
 * runs it again (with backoff) until every workflow took it, so an erasure is never lost.
 * Completed workflows are left: their state is in Temporal's history only.
 */
export async function eraseFromTickets(
  db: mongo.Db,
  workflows: TicketWorkflows,
  person: PersonRecord,
  logger: Logger,
): Promise<{ rewritten: number; attachments: number; workflows: Record<string, number> }> {
  const userId = person._id;
  const attachments = await db
    .collection('attachments')
    .updateMany(
      { 'uploadedBy.id': userId, 'uploadedBy.name': { $ne: ERASED_NAME } },
      { $set: { 'uploadedBy.name': ERASED_NAME } },
    );
  const running = await db
    .collection<TicketRecord>(TICKETS_COLLECTION)
    .find({ $or: peopleFilter(userId), status: { $ne: 'closed' } }, { projection: { _id: 1 } })
    .toArray();
  const outcomes: Record<string, number> = {};
  for (const { _id: reference } of running) {
    const outcome = await workflows.erasePerson(String(reference), userId);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  // After the workflows: a projection written meanwhile from a state that still had the name is
  // rewritten here (and every later one applies the directory itself).
  const rewritten = await rewriteTicketsOf(db, person);
  logger.info(
    { userId, rewritten, attachments: attachments.modifiedCount, workflows: outcomes },
    'person erased from the tickets',
  );
  return { rewritten, attachments: attachments.modifiedCount, workflows: outcomes };
}
