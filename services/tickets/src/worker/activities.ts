import {
  TOPICS,
  upgradeTicketEvents,
  type EventEnvelope,
  type ProjectionOutcome,
  type TicketActivities,
  type TicketProjection,
  type TicketState,
} from '@woop/contracts';
import type { EventPublisher } from '@woop/service-kit';
import type { Connection } from 'mongoose';
import { findPeople, peopleOf, withPeople } from '../model/people';
import { saveProjection, saveProjectionDelta } from './projection';
import { countSla } from './sla-metrics';

/**
 * The ticket workflow's side effects. `projectTicket` writes a version only over an older one
 * (`saveProjection`), so a retry or a late duplicate changes nothing. The projection puts people's current names in and anonymises erased people, so a change
 * made after an erasure does not bring the name back from the workflow's state.
 */
export function createTicketActivities(deps: { db: Connection; publisher: EventPublisher }): TicketActivities {
  return {
    async projectTicket(state: TicketState): Promise<void> {
      const db = deps.db.db;
      if (!db) throw new Error('the tickets database is not connected yet');
      const { reference, ...rest } = state;
      await saveProjection(db, reference, withPeople(rest, await findPeople(db, peopleOf(rest))));
    },
    async projectTicketChange({ ticket, activityFrom }: TicketProjection): Promise<ProjectionOutcome> {
      const db = deps.db.db;
      if (!db) throw new Error('the tickets database is not connected yet');
      const { reference, ...rest } = ticket;
      // People's current names in what is written (the delta's entries only: the older ones were
      // rewritten by the directory's own changes, see rewriteTicketsOf).
      const withNames = withPeople(rest, await findPeople(db, peopleOf(rest)));
      if (activityFrom === 0) {
        await saveProjection(db, reference, withNames);
        return 'written';
      }
      return saveProjectionDelta(db, reference, withNames, activityFrom);
    },
    async publishTicketEvents(events: EventEnvelope[]): Promise<void> {
      // Only what the contract describes goes out: version 2 events are checked, and version 1
      // ones (a ticket started before the contract, whose history still holds them) upgraded.
      const published = upgradeTicketEvents(events);
      await deps.publisher.publish(TOPICS.tickets.name, published);
      countSla(published);
    },
  };
}
