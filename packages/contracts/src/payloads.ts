/**
 * The ticket actions' payload schemas (zod), apart from `./workflow`: the ticket workflow loads
 * this only when a validator checks a payload (workflows/src/ticket/rules.ts).
 */
export { ticketActionPayloads, ticketPayloadProblem } from './tickets/actions';
