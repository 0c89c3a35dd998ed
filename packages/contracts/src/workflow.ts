/**
 * What the ticket workflow's code needs from the contracts: `@woop/contracts/workflow`. The
 * Temporal worker evaluates the modules a workflow imports once per workflow it caches, and
 * zod schemas are costly objects: the whole barrel (the HTTP API's schemas, the events'
 * schemas, the catalogue) cost about 2.4 MB of worker memory per open ticket, this about 1.5 MB
 * (bench, 400 cached tickets). Types come from anywhere: they are erased.
 */
export * from './tickets/model';
export * from './tickets/actions';
export * from './tickets/messages';
export * from './tickets/workflow-input';
export * from './tickets/facts';
export type * from './tickets/activities';
export type { TicketChange, TicketFacts, TicketEvent, TicketEventType } from './tickets/events';
export * from './search-attributes';
export * from './task-queues';
