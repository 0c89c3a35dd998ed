import type { Request } from 'express';
import type { TicketState, TicketView } from '@woop/contracts';
import { isServerUnavailable, requireIdentity, type VerifiedIdentity } from '@woop/service-kit';
import { canSee } from './access';
import { problem } from './problems';
import type { TicketsConfig } from '../config';
import type { TicketModels } from '../model/database';
import type { TicketRecord } from '../model/read-model';
import type { TicketWorkflows } from './ticket-client';

/** What every route module of the tickets API shares. */
export interface RouteContext {
  models: TicketModels;
  workflows: TicketWorkflows;
  config: TicketsConfig;
  /** The caller, from the identity the gateway signed (401 without it). */
  caller: (req: Request) => VerifiedIdentity;
  /** The ticket if `who` may see it; 404 `ticket_not_found` otherwise (also when it does not exist). */
  visibleTicket: (who: VerifiedIdentity, reference: string) => Promise<TicketRecord | TicketState>;
  /**
   * Read-your-writes without polling: given what a create or an action answered, the ticket as
   * the read model holds it at that version or a newer one, so the actor's next read or list
   * shows their change. The workflow answers an update once its version is projected, so one read
   * finds it; if the projection was slow (`projected: false`) the change is recorded all the same
   * and its own state is served (whole then: a projected answer leaves the conversation out). A
   * run started before the workflow waited (its answers say nothing of `projected`) is waited
   * for with the `awaitProjection` update.
   */
  projected: (reference: string, view: TicketView, deadline?: number) => Promise<TicketRecord | TicketState>;
}

export const ticketNotFound = (reference: string) => problem('ticket_not_found', `No request ${reference} for you.`);

/**
 * A closed request (CLÔTURÉ) takes nothing more: no action, comment, share or file, whoever asks.
 * Refused with one code, with the headers of the workflow's other refusals (nothing is allowed).
 */
export const requestClosed = (reference: string) =>
  problem('request_closed', `${reference} is closed: it takes no more changes.`, undefined, {
    'X-Ticket-Status': 'closed',
    'X-Allowed-Actions': '',
  });

/** Refuses any change to a ticket the caller read as closed, before Temporal is asked. */
export function refuseIfClosed(ticket: Pick<TicketState, 'status'>, reference: string): void {
  if (ticket.status === 'closed') throw requestClosed(reference);
}

export function routeContext(deps: Pick<RouteContext, 'models' | 'workflows' | 'config'>): RouteContext {
  const { models, workflows, config } = deps;
  return {
    ...deps,
    caller: (req) => requireIdentity(req, config.INTERNAL_AUTH_SECRET),
    /** The read model's copy or, right after its creation, the workflow's. */
    async visibleTicket(who, reference) {
      const record = (await models.tickets().findOne({ _id: reference as never })) as TicketRecord | null;
      if (record) {
        if (!canSee(who, record)) throw ticketNotFound(reference);
        return record;
      }
      // Not in Temporal either: 404; Temporal not answering (in time): 503, not a false 404.
      const view = await workflows.view(reference).catch((err: unknown) => {
        if (isServerUnavailable(err)) throw err;
        return undefined;
      });
      if (!view || !canSee(who, { ...view.ticket, _id: reference })) throw ticketNotFound(reference);
      return view.ticket;
    },
    async projected(reference, view, deadline) {
      const record = (await models.tickets().findOne({ _id: reference as never })) as TicketRecord | null;
      if (record && record.version >= view.ticket.version) return record;
      if (view.projected === false) return view.ticket;
      // Projected, yet not read (a read model other than the one written, e.g. a lagging
      // replica): the whole state from the workflow, as the answer leaves the conversation out.
      if (view.projected === true) return (await workflows.view(reference, deadline)).ticket;
      return (await workflows.awaitProjection(reference, deadline)).ticket;
    },
  };
}
