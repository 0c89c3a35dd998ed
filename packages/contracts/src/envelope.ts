import type { EventEnvelope } from './events';

/*
 * Making an event's envelope, without its schema (./events): the ticket workflow makes its events
 * with this, and its bundle does not evaluate zod (see ./workflow.ts).
 */

export interface NewEvent<T extends Record<string, unknown>> {
  id: string;
  source: string;
  type: string;
  subject: string;
  data: T;
  time?: Date;
  /** The version of `data`'s shape; absent means 1. */
  dataversion?: number;
}

export function makeEvent<T extends Record<string, unknown>>(event: NewEvent<T>): EventEnvelope<T> {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: (event.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    ...(event.dataversion !== undefined ? { dataversion: event.dataversion } : {}),
    data: event.data,
  };
}

/** The version of an event's data: `dataversion`, 1 when absent. */
export const dataVersionOf = (event: { dataversion?: number }): number => event.dataversion ?? 1;
