/**
 * What the ticket workflow's code needs from the contracts: `@woop/contracts/workflow`. The
 * Temporal worker evaluates the modules a workflow imports once per workflow it caches, and
 * zod and its schemas are costly objects: the whole barrel (the HTTP API's schemas, the events'
 * schemas, the catalogue) cost about 2.4 MB of worker memory per open ticket, the workflow's part
 * of it with zod 1.5 MB, without zod about 0.3 MB (bench). So nothing here imports zod: the
 * actions' names and roles are in ./tickets/action-names, the envelope in ./envelope, and the
 * payload schemas (`./payloads`) are loaded by the workflow when a validator checks a payload.
 * Types come from anywhere: they are erased. workflows/src/ticket/weight.test.ts keeps it so.
 */
export * from './tickets/model';
export * from './tickets/action-names';
export * from './tickets/messages';
export * from './tickets/workflow-input';
export * from './tickets/facts';
export type * from './tickets/activities';
export type { TicketChange, TicketFacts, TicketEvent, TicketEventType } from './tickets/events';
export * from './search-attributes';
export * from './task-queues';
