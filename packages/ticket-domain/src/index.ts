/**
 * The ticket's domain, as pure and deterministic functions over the ticket state: the ticket
 * workflow runs them inside Temporal's sandbox (so this package imports no Node built-in and
 * no I/O; eslint holds it to the workflow's rules), the tickets service and the gateway show
 * their answers (who may do what now, business time left).
 */
export * from './calendar';
export * from './policies';
export {
  advanceTime,
  allowedActions,
  allowedByRole,
  applyAction,
  closureOf,
  createTicket,
  nextDueAt,
  ratedThisClosure,
  refusal,
} from './lifecycle';
export { erasePerson, validateErasure } from './lifecycle/erasure';
export * from './search-attributes';
