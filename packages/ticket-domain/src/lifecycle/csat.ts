import type { TicketState } from '@woop/contracts/workflow';

/**
 * Satisfaction (CSAT): "Êtes-vous satisfait de la réponse ?", asked of the requester each time
 * the request becomes TERMINÉ, answered once per closure. A closure is counted from the activity
 * (its `status_changed` entries to `done`), not kept in the state, so every ticket, those that
 * became TERMINÉ before ratings existed too, knows which closure it is in.
 */

/** How many times the request became TERMINÉ: 1 after the first closure, 2 after a reopening answered again… */
export function closureOf(state: Pick<TicketState, 'activity'>): number {
  return state.activity.filter((e) => e.kind === 'status_changed' && e.to === 'done').length;
}

/** Whether the current closure has its rating already (so `rate` is refused with `already_rated`). */
export function ratedThisClosure(state: Pick<TicketState, 'activity' | 'csat'>): boolean {
  return state.csat !== undefined && state.csat.closure === closureOf(state);
}
