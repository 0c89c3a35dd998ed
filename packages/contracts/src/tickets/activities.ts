import type { EventEnvelope } from '../events';
import type { TicketState } from './model';

/**
 * Side effects of the ticket workflow, run as activities. Both are idempotent: the projection
 * is keyed by reference and version (an older version never overwrites a newer one), events
 * carry deterministic ids (reference, version, type) so consumers drop duplicates.
 */
/**
 * A version of a ticket for the read model: the whole state when `activityFrom` is 0, otherwise
 * the state with only the activity entries after the first `activityFrom` (the read model holds
 * those), so a long conversation is not sent again with every change.
 */
export interface TicketProjection {
  ticket: TicketState;
  activityFrom: number;
}

/**
 * What a projection did: wrote the version, found it (or a newer one) already there (a retry),
 * or found the read model not holding the `activityFrom` entries the delta follows (a ticket
 * projected before deltas, or a read model restored from an older copy): the workflow then
 * sends the whole state.
 */
export type ProjectionOutcome = 'written' | 'already' | 'gap';

export interface TicketActivities {
  /** The whole state (runs started before projection deltas). */
  projectTicket(state: TicketState): Promise<void>;
  projectTicketChange(change: TicketProjection): Promise<ProjectionOutcome>;
  /**
   * Publishes the workflow's `ticket.*` events (`TicketEvent`, version 2). Typed as envelopes:
   * a ticket started before the contract may still hand over version 1 events recorded in its
   * history, which the activity upgrades (`upgradeTicketEvents`).
   */
  publishTicketEvents(events: EventEnvelope[]): Promise<void>;
}
