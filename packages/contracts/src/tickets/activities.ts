import type { EventEnvelope } from '../events';
import type { TicketState } from './model';

/**
 * Side effects of the ticket workflow, run as activities. Both are idempotent: the projection
 * is keyed by reference and version (an older version never overwrites a newer one), events
 * carry deterministic ids (reference, version, type) so consumers drop duplicates.
 */
export interface TicketActivities {
  projectTicket(state: TicketState): Promise<void>;
  publishTicketEvents(events: EventEnvelope[]): Promise<void>;
}
