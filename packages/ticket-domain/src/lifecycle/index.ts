/**
 * The ticket lifecycle as pure functions over the ticket state, by concern: who may do what
 * (`rules.ts`), what each action changes and the event it makes (`actions.ts`), what time
 * changes (`timers.ts`), with the windows and due instants (`clocks.ts`) and the SLA clocks
 * (`sla.ts`). The workflow holds the state and calls these; the unit tests call them directly.
 */
export { allowedActions, allowedByRole, refusal } from './rules';
export { applyAction, createTicket } from './actions';
export { advanceTime } from './timers';
export { nextDueAt } from './clocks';
export { closureOf, ratedThisClosure } from './csat';
