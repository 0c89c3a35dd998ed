import { TOPICS, type EventEnvelope, type TicketActivities, type TicketState } from '@woop/contracts';
import type { EventPublisher } from '@woop/service-kit';
import type { Connection } from 'mongoose';

/** Collection of the ticket read model (one document per ticket, `_id` = reference). */
export const TICKETS_COLLECTION = 'tickets';

const DUPLICATE_KEY = 11000;

/**
 * The ticket workflow's side effects. `projectTicket` writes a version only over an older one:
 * the filter matches an older document or none (then the upsert inserts); a newer or equal
 * document makes the upsert collide on `_id`, which means "already there" and is success.
 */
export function createTicketActivities(deps: { db: Connection; publisher: EventPublisher }): TicketActivities {
  return {
    async projectTicket(state: TicketState): Promise<void> {
      const { reference, ...rest } = state;
      try {
        await deps.db
          .collection(TICKETS_COLLECTION)
          .updateOne(
            { _id: reference as never, version: { $lt: state.version } },
            { $set: { ...rest, projectedAt: new Date() } },
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
