import { TOPICS, type EventEnvelope, type TicketActivities, type TicketState } from '@woop/contracts';
import type { EventPublisher } from '@woop/service-kit';
import type { Connection } from 'mongoose';
import { findPeople, peopleOf, withPeople } from './people';
import { derivedFields, TICKETS_COLLECTION } from './read-model';

const DUPLICATE_KEY = 11000;

/**
 * The ticket workflow's side effects. `projectTicket` writes a version only over an older one:
 * the filter matches an older document or none (then the upsert inserts); a newer or equal
 * document makes the upsert collide on `_id`, which means "already there" and is success.
 * The projection puts people's current names in and anonymises erased people, so a change
 * made after an erasure does not bring the name back from the workflow's state.
 */
export function createTicketActivities(deps: { db: Connection; publisher: EventPublisher }): TicketActivities {
  return {
    async projectTicket(state: TicketState): Promise<void> {
      const db = deps.db.db;
      if (!db) throw new Error('the tickets database is not connected yet');
      const { reference, ...rest } = state;
      const ticket = withPeople(rest, await findPeople(db, peopleOf(rest)));
      try {
        await db
          .collection(TICKETS_COLLECTION)
          .updateOne(
            { _id: reference as never, version: { $lt: state.version } },
            { $set: { ...ticket, ...derivedFields(ticket, reference), projectedAt: new Date() } },
            { upsert: true },
          );
      } catch (err) {
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    },
    async publishTicketEvents(events: EventEnvelope[]): Promise<void> {
      await deps.publisher.publish(TOPICS.tickets.name, events);
    },
  };
}
