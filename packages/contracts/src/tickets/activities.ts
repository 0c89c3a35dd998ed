import type { EventEnvelope } from '../events';
import type { TicketState } from './model';

/**
 * Side effects of the ticket workflow, run as activities. Both are idempotent: the projection
 * is keyed by reference and version (an older version never overwrites a newer one), events
 * carry deterministic ids (reference, version, type) so consumers drop duplicates.
 */
export interface TicketActivities {
  projectTicket(state: TicketState): Promise<void>;
  /**
   * Publishes the workflow's `ticket.*` events (`TicketEvent`, version 2). Typed as envelopes:
   * a ticket started before the contract may still hand over version 1 events recorded in its
   * history, which the activity upgrades (`upgradeTicketEvents`).
   */
  publishTicketEvents(events: EventEnvelope[]): Promise<void>;
}
