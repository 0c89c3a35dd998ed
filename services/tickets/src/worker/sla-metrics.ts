import type { EventEnvelope } from '@woop/contracts';
import { counter } from '@woop/service-kit';

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

export function countSla(events: EventEnvelope[]): void {
  for (const event of events) {
    if (event.type !== 'ticket.sla_warning' && event.type !== 'ticket.sla_breached') continue;
    const labels = { clock: String(event.data.clock), priority: String(event.data.priority) };
    (event.type === 'ticket.sla_warning' ? slaWarnings : slaBreaches).inc(labels);
  }
}
