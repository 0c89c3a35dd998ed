import {
  TOPICS,
  upgradeTicketEvents,
  type EventEnvelope,
  type TicketActivities,
  type TicketState,
} from '@woop/contracts';
import { counter, type EventPublisher } from '@woop/service-kit';
import type { Connection } from 'mongoose';
import { findPeople, peopleOf, withPeople } from '../model/people';
import { saveProjection } from './projection';

/**
 * SLA warnings and breaches, counted here where they leave for Kafka: the worker is where they
 * happen, so the count does not depend on the notifications service being up (an email outage
 * must not hide breaches) and does not grow with its copies or redeliveries. An activity retried
 * after its publish succeeded counts twice; rare, and never a miss.
 */
const slaWarnings = counter('woop_ticket_sla_warnings_total', 'SLA clocks past their warning share (75 %)', [
  'clock',
  'priority',
]);
const slaBreaches = counter('woop_ticket_sla_breaches_total', 'SLA clocks run out (ticket escalated)', [
  'clock',
  'priority',
]);

function countSla(events: EventEnvelope[]): void {
  for (const event of events) {
    if (event.type !== 'ticket.sla_warning' && event.type !== 'ticket.sla_breached') continue;
    const labels = { clock: String(event.data.clock), priority: String(event.data.priority) };
    (event.type === 'ticket.sla_warning' ? slaWarnings : slaBreaches).inc(labels);
  }
}

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
    async publishTicketEvents(events: EventEnvelope[]): Promise<void> {
      // Only what the contract describes goes out: version 2 events are checked, and version 1
      // ones (a ticket started before the contract, whose history still holds them) upgraded.
      const published = upgradeTicketEvents(events);
      await deps.publisher.publish(TOPICS.tickets.name, published);
      countSla(published);
    },
  };
}
