import { defineQuery, defineUpdate } from '@temporalio/workflow';
import {
  TICKET_ACTIONS,
  type TicketActionName,
  type TicketActionPayloads,
  type TicketActionRequest,
} from './action-names';
import type { Role, TicketState } from './model';

/** What the query and every successful update return: the state and who may do what now. */
export interface TicketView {
  ticket: TicketState;
  allowed: Record<Role, TicketActionName[]>;
  /**
   * In an update's answer: whether the read model held this version when it answered (it waits a
   * little for it). Absent from the query and from runs that answer updates at once (started
   * before the workflow waited for its projection). With `projected: true`, a run with small
   * changes (the workflow's SMALL_CHANGES_PATCH) leaves the conversation out of `ticket`
   * (`activity` empty, no description or fields): the read model holds the whole ticket at that
   * version, and the API serves it from there.
   */
  projected?: boolean;
}

/** One Temporal update per action, named after it (the name operators see in the history). */
export const ticketUpdates = Object.fromEntries(
  TICKET_ACTIONS.map((name) => [name, defineUpdate<TicketView, [TicketActionRequest]>(name)]),
) as {
  [A in TicketActionName]: ReturnType<typeof defineUpdate<TicketView, [TicketActionRequest<A>]>>;
};

export const getTicketQuery = defineQuery<TicketView>('getTicket');

/**
 * Answers once the read model holds the ticket's current version (the create's, sent with the
 * start as update-with-start; or after an action of a run whose updates answer before their
 * projection). It changes nothing, so it records no version and no event.
 */
export const awaitProjectionUpdate = defineUpdate<TicketView, []>('awaitProjection');

/**
 * Erasure (GDPR art. 17): the person's name is replaced by `ERASED_NAME` wherever the state
 * names them (requester, shared with, actors, resolution, rejection), and their former names
 * inside free text by `ERASED_TEXT`, so every later event, email and projection carries the
 * placeholder. Only the id travels: the update's input, recorded in history, names nobody.
 * Idempotent; the answer says whether anything changed (nothing personal in it either).
 */
export interface ErasePersonRequest {
  userId: string;
}
export const erasePersonUpdate = defineUpdate<{ changed: boolean }, [ErasePersonRequest]>('erasePerson');

export type { TicketActionPayloads };
